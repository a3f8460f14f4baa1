import { request } from 'undici'
import type { TokenResponse } from './mint-token.js'
import type { TokenTestOverrides } from './token-request.js'

/** A `POST /token` body (mocks/API.md, "Identity provider"). */
export interface TokenRequestBody {
  readonly sub: string
  /** Space-separated scopes, e.g. `'admin'`. */
  readonly scope?: undefined | string
  /** @default 3_600 */
  readonly ttlSeconds?: undefined | number
  /** Test conveniences for deliberately invalid tokens. */
  readonly testOverrides?: undefined | TokenTestOverrides
}

function isTokenResponse(value: unknown): value is TokenResponse {
  if (typeof value !== 'object' || value === null) return false
  const { access_token: token, token_type: type, expires_in: expiresIn } = value as Record<string, unknown>
  return typeof token === 'string' && type === 'Bearer' && typeof expiresIn === 'number'
}

/** Mints a token from the auth mock at `authUrl` (its base URL) over HTTP; throws unless it answers 200. */
export async function requestToken(authUrl: string, body: TokenRequestBody, signal?: AbortSignal): Promise<TokenResponse> {
  const response = await request(`${authUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  })
  const text = await response.body.text()
  if (response.statusCode !== 200) throw new Error(`POST ${authUrl}/token answered ${response.statusCode}: ${text.slice(0, 300)}`)
  const parsed: unknown = JSON.parse(text)
  if (!isTokenResponse(parsed)) throw new Error(`POST ${authUrl}/token answered an unexpected body: ${text.slice(0, 300)}`)
  return parsed
}

/**
 * A token for one identity, minted on first use and again once it is within
 * `refreshBeforeSeconds` of expiring: for long-running callers such as the
 * event generator under `npm start`.
 */
export function createTokenSource(authUrl: string, body: TokenRequestBody, refreshBeforeSeconds = 60): () => Promise<string> {
  let cached: { readonly token: string; readonly refreshAt: number } | undefined
  let pending: Promise<string> | undefined
  return async () => {
    if (cached !== undefined && Date.now() < cached.refreshAt) return cached.token
    // Concurrent callers share one mint instead of each asking for a token.
    pending ??= (async () => {
      try {
        const answer = await requestToken(authUrl, body)
        cached = { token: answer.access_token, refreshAt: Date.now() + (answer.expires_in - refreshBeforeSeconds) * 1_000 }
        return answer.access_token
      } finally {
        pending = undefined
      }
    })()
    return pending
  }
}
