import { request } from 'undici'

/** A development token as the page receives it. */
export interface DevToken {
  readonly user: string
  readonly token: string
  /** Seconds until it expires. */
  readonly expiresIn: number
}

/** Mints development tokens from a provider's token endpoint. */
export type DevTokenMinter = (user: string, scope?: undefined | string) => Promise<DevToken>

/** Long enough for a working day in GraphiQL; the auth mock allows up to a day. */
const DEV_TOKEN_TTL_S = 8 * 3_600
const MINT_TIMEOUT_MS = 3_000

function isTokenAnswer(value: unknown): value is { readonly access_token: string; readonly expires_in: number } {
  if (typeof value !== 'object' || value === null) return false
  const { access_token: token, expires_in: expiresIn } = value as Record<string, unknown>
  return typeof token === 'string' && typeof expiresIn === 'number'
}

/**
 * Asks the development identity provider (the auth mock, `POST /token` with
 * `{"sub"}`) for a token, so GraphiQL in `npm start` works signed in. Only
 * ever configured in development (GRAPHIQL_DEV_TOKEN_URL): a provider that
 * mints tokens on request without a password is a development convenience.
 */
export function createDevTokenMinter(tokenUrl: string): DevTokenMinter {
  return async (user, scope) => {
    const response = await request(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: user, ttlSeconds: DEV_TOKEN_TTL_S, ...(scope === undefined ? {} : { scope }) }),
      headersTimeout: MINT_TIMEOUT_MS,
      bodyTimeout: MINT_TIMEOUT_MS,
    })
    const text = await response.body.text()
    const parsed: unknown = response.statusCode === 200 ? JSON.parse(text) : null
    if (!isTokenAnswer(parsed)) throw new Error(`the development token endpoint answered ${response.statusCode}`)
    return { user, token: parsed.access_token, expiresIn: parsed.expires_in }
  }
}
