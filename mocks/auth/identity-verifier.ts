import type { KeyObject } from 'node:crypto'
import { errors, jwtVerify } from 'jose'
import { unauthenticated } from '../services/http-errors.js'
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js'
import { DEFAULT_AUDIENCE } from './token-request.js'

/** Who is calling, from a verified token. */
export interface CallerIdentity {
  readonly sub: string
  readonly scopes: ReadonlySet<string>
}

/**
 * Turns a request's `Authorization` header into the caller, or throws a
 * `MockHttpError` 401 (`unauthenticated`) when it is missing or invalid.
 */
export type IdentityVerifier = (authorization: string | undefined) => Promise<CallerIdentity>

export interface IdentityVerifierOptions {
  /** The auth mock's key ring; read per request, so rotations and expired grace apply at once. */
  readonly keys: SigningKeys
  /** The auth mock's issuer URL; a function because with port 0 it is known only once it listens. */
  readonly issuer: () => string
  /** @default 'reactive-bff' */
  readonly audience?: undefined | string
}

/** RFC 6750 §2.1: `Bearer` (any case), one space, a b64token. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * Verifies tokens against the auth mock's published keys in-process, the same
 * keys `GET /.well-known/jwks.json` serves, but without fetching them. A
 * service fetching the JWKS over HTTP would show up in the auth mock's stats
 * and would fail whenever a test faults the JWKS route to see what the BFF
 * does, muddling exactly the tests those two features exist for.
 */
export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  const { keys, issuer } = options
  const audience = options.audience ?? DEFAULT_AUDIENCE

  return async (authorization) => {
    if (authorization === undefined || authorization === '') throw unauthenticated('a bearer token is required', false)
    const match = BEARER.exec(authorization)
    if (match?.[1] === undefined) throw unauthenticated('the authorization header is not "Bearer <token>"', true)
    const resolveKey = (header: { readonly kid?: string | undefined }): KeyObject => {
      const key = header.kid === undefined ? undefined : keys.verificationKey(header.kid)
      if (key === undefined) throw new errors.JWKSNoMatchingKey()
      return key
    }
    const { payload } = await jwtVerify(match[1], resolveKey, {
      issuer: issuer(),
      audience,
      algorithms: [SIGNING_ALG],
      requiredClaims: ['sub', 'iat', 'exp'],
    }).catch((err: unknown) => {
      // jose's messages name the failed check without echoing the token ("\"exp\" claim timestamp check failed").
      throw unauthenticated(`invalid token: ${err instanceof Error ? err.message : String(err)}`, true)
    })
    const { sub, scope } = payload
    if (typeof sub !== 'string' || sub === '') throw unauthenticated('invalid token: sub must be a non-empty string', true)
    if (scope !== undefined && typeof scope !== 'string') throw unauthenticated('invalid token: scope must be a string', true)
    return { sub, scopes: new Set((scope ?? '').split(' ').filter((s) => s !== '')) }
  }
}
