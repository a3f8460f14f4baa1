import { badRequest } from '../services/http-errors.js'
import { bodyObject, isInt, onlyKeys } from '../services/request-params.js'

/** The audience every token carries unless a test overrides it: the BFF. */
export const DEFAULT_AUDIENCE = 'reactive-bff'
export const DEFAULT_TTL_SECONDS = 3_600
/** A day: no development session needs longer, and a ms value passed by mistake is caught. */
export const MAX_TTL_SECONDS = 86_400
/** Longest `sub` and `scope` accepted, in characters. */
const MAX_SUB_LENGTH = 255
const MAX_SCOPE_LENGTH = 1_000
/** RFC 6749 §3.3 scope-token: NQCHAR, i.e. printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
/** How far from now the test knobs may put `nbf` / `exp`, in seconds (a year). */
const MAX_SHIFT_SECONDS = 31_536_000

/**
 * Test conveniences for minting deliberately wrong tokens, so the BFF's
 * refusals can be tested against the real provider. Nothing a real provider
 * offers; none of them is needed for a valid token.
 */
export interface TokenTestOverrides {
  /** `iss` other than the provider's own. */
  readonly issuer?: undefined | string
  /** `aud` other than `reactive-bff`. */
  readonly audience?: undefined | string
  /** `nbf` = now + this many seconds (positive: not yet valid). Absent: no `nbf` claim. */
  readonly notBeforeSeconds?: undefined | number
  /** Absolute `exp` in epoch seconds, e.g. in the past for an expired token; replaces `ttlSeconds`. */
  readonly expiresAt?: undefined | number
  /** Sign with a throwaway key under the current `kid`: the signature does not verify against the JWKS. */
  readonly forgeSignature?: undefined | boolean
}

export interface TokenRequest {
  readonly sub: string
  /** Space-separated scope tokens, normalised to single spaces; '' when none. */
  readonly scope: string
  readonly ttlSeconds: number
  readonly testOverrides: TokenTestOverrides
}

function parseScope(raw: unknown): string {
  if (raw === undefined) return ''
  if (typeof raw !== 'string' || raw.length > MAX_SCOPE_LENGTH) throw badRequest(`scope must be a string of at most ${MAX_SCOPE_LENGTH} characters`)
  const tokens = raw.split(' ').filter((token) => token !== '')
  const bad = tokens.find((token) => !SCOPE_TOKEN.test(token))
  if (bad !== undefined) throw badRequest(`scope must be space-separated scope tokens (RFC 6749 §3.3), got ${JSON.stringify(bad)}`)
  return tokens.join(' ')
}

function parseOverrides(raw: unknown): TokenTestOverrides {
  if (raw === undefined) return {}
  const body = bodyObject(raw)
  onlyKeys(body, ['issuer', 'audience', 'notBeforeSeconds', 'expiresAt', 'forgeSignature'])
  const { issuer, audience, notBeforeSeconds, expiresAt, forgeSignature } = body
  const text = (value: unknown, name: string): string | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'string' || value === '') throw badRequest(`testOverrides.${name} must be a non-empty string`)
    return value
  }
  if (notBeforeSeconds !== undefined && !isInt(notBeforeSeconds, -MAX_SHIFT_SECONDS, MAX_SHIFT_SECONDS)) {
    throw badRequest(`testOverrides.notBeforeSeconds must be an integer in ±${MAX_SHIFT_SECONDS}`)
  }
  if (expiresAt !== undefined && !isInt(expiresAt, 0, Number.MAX_SAFE_INTEGER)) throw badRequest('testOverrides.expiresAt must be epoch seconds (a non-negative integer)')
  if (forgeSignature !== undefined && typeof forgeSignature !== 'boolean') throw badRequest('testOverrides.forgeSignature must be a boolean')
  return { issuer: text(issuer, 'issuer'), audience: text(audience, 'audience'), notBeforeSeconds, expiresAt, forgeSignature }
}

/** Validates a `POST /token` body (mocks/API.md, "Identity provider"); throws a 400 naming the field. */
export function parseTokenRequest(raw: unknown): TokenRequest {
  const body = bodyObject(raw)
  onlyKeys(body, ['sub', 'scope', 'ttlSeconds', 'testOverrides'])
  const { sub, ttlSeconds } = body
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > MAX_SUB_LENGTH) {
    throw badRequest(`sub must be a non-empty string of at most ${MAX_SUB_LENGTH} characters`)
  }
  if (ttlSeconds !== undefined && !isInt(ttlSeconds, 1, MAX_TTL_SECONDS)) {
    throw badRequest(`ttlSeconds must be an integer in 1..${MAX_TTL_SECONDS}, got ${JSON.stringify(ttlSeconds)}`)
  }
  return {
    sub,
    scope: parseScope(body['scope']),
    ttlSeconds: ttlSeconds ?? DEFAULT_TTL_SECONDS,
    testOverrides: parseOverrides(body['testOverrides']),
  }
}
