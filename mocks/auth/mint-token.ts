import { SignJWT } from 'jose'
import { generateSigningKey, SIGNING_ALG, type SigningKeys } from './signing-keys.js'
import { DEFAULT_AUDIENCE, type TokenRequest } from './token-request.js'

/** The `POST /token` answer (RFC 6749 §5.1, the fields this mock gives). */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: 'Bearer'
  /** Seconds until `exp`; negative for a token minted already expired. */
  readonly expires_in: number
}

export interface MintContext {
  readonly keys: SigningKeys
  /** The provider's own issuer URL, the `iss` of every token not overridden. */
  readonly issuer: string
  /** Epoch ms. @default Date.now */
  readonly now?: undefined | (() => number)
}

/**
 * Signs an access token: header `{alg, kid}`, claims exactly `iss, sub, aud,
 * iat, exp, scope` (plus `nbf` only when a test asks for one).
 */
export async function mintToken(request: TokenRequest, context: MintContext): Promise<TokenResponse> {
  const iat = Math.floor((context.now ?? Date.now)() / 1_000)
  const { testOverrides: test } = request
  const exp = test.expiresAt ?? iat + request.ttlSeconds
  const signing = context.keys.current
  const claims: Record<string, unknown> = {
    iss: test.issuer ?? context.issuer,
    sub: request.sub,
    aud: test.audience ?? DEFAULT_AUDIENCE,
    iat,
    exp,
    scope: request.scope,
  }
  if (test.notBeforeSeconds !== undefined) claims['nbf'] = iat + test.notBeforeSeconds
  // A throwaway key under the real kid: what a forger without the private key produces.
  const key = test.forgeSignature === true ? generateSigningKey().privateKey : signing.privateKey
  const token = await new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, kid: signing.kid }).sign(key)
  return { access_token: token, token_type: 'Bearer', expires_in: exp - iat }
}
