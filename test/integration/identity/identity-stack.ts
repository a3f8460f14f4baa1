import { exportSPKI, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose'
import { request } from 'undici'
import { requestToken, type TokenRequestBody } from '../../../mocks/auth/token-client.js'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import { startStack, type Stack, type StackOptions } from '../../helpers/stack.js'

// Seeded facts (mocks/README.md): orders 6843 and 1062 are user 1's and PLACED, 205 is user 2's;
// notification 16127 is user 1's and unread, 6933 user 2's and unread.
export const USER_1_ORDER = '6843'
export const USER_2_ORDER = '205'
export const USER_1_UNREAD = '16127'
export const USER_2_UNREAD = '6933'

/** The BFF trusting the mocks' identity provider, orders and notifications checking the relayed token. */
export const startAuthStack = (options: Omit<StackOptions, 'auth'> = {}): Promise<Stack> => startStack({ ...options, auth: true })

/** A real token from the auth mock. */
export async function tokenFor(mocks: Pick<RunningMocks, 'auth'>, body: TokenRequestBody): Promise<string> {
  return (await requestToken(mocks.auth.url, body)).access_token
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

async function currentKey(mocks: Pick<RunningMocks, 'auth'>): Promise<JWK & { kid: string }> {
  const response = await request(mocks.auth.jwksUrl)
  const { keys } = (await response.body.json()) as { keys: (JWK & { kid: string })[] }
  const key = keys[0]
  if (key === undefined) throw new Error('the auth mock published no key')
  return key
}

/** An unsigned token (`alg: none`) with otherwise valid claims. */
export function unsignedToken(mocks: Pick<RunningMocks, 'auth'>, sub: string): string {
  return new UnsecuredJWT({ scope: '' }).setSubject(sub).setIssuer(mocks.auth.url).setAudience('reactive-bff').setIssuedAt().setExpirationTime('1h').encode()
}

/**
 * The key-confusion attack: HS256 "signed" with the provider's public key
 * (its PEM text) as the HMAC secret, under the real `kid`. A verifier that
 * let the token pick its algorithm would accept it.
 */
export async function hmacWithPublicKey(mocks: Pick<RunningMocks, 'auth'>, sub: string): Promise<string> {
  const jwk = await currentKey(mocks)
  const pem = await exportSPKI((await importJWK(jwk, 'ES256')) as Parameters<typeof exportSPKI>[0])
  return new SignJWT({ scope: 'admin' })
    .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
    .setSubject(sub)
    .setIssuer(mocks.auth.url)
    .setAudience('reactive-bff')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(pem))
}
