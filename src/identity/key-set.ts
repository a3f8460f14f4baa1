import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'

export interface KeySetOptions {
  readonly jwksUrl: string
  /** A JWKS fetch taking longer fails (its token gets 401, not a hang), in ms. */
  readonly timeoutMs: number
  /** Least time between fetches prompted by an unknown `kid`, in ms. */
  readonly cooldownMs: number
  /** Keys older than this are fetched again before use, in ms. */
  readonly maxAgeMs: number
}

/** Codes of failures to select or use a key from a set we hold: never a reason to fall back. */
const KEY_SELECTION_CODES: ReadonlySet<string> = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED', 'ERR_JOSE_ALG_NOT_ALLOWED'])

/**
 * The provider's keys, fetched with jose's remote JWK set: cached for
 * `maxAgeMs`, refetched on an unknown `kid` at most once per `cooldownMs`,
 * each fetch time-limited. One addition: when the cached keys have gone stale
 * and the refetch fails (provider down), the keys already held keep
 * verifying, so an outage of the provider does not fail requests whose key
 * is known; a `kid` nobody has seen still fails, with the fetch's error.
 */
export function createKeySet(options: KeySetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.maxAgeMs,
  })
  let heldFrom: JSONWebKeySet | undefined
  let held: JWTVerifyGetKey | undefined
  return async (header, token) => {
    try {
      return await remote(header, token)
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (typeof code === 'string' && KEY_SELECTION_CODES.has(code)) throw error
      const jwks = remote.jwks()
      if (jwks === undefined) throw error
      if (heldFrom !== jwks) {
        heldFrom = jwks
        held = createLocalJWKSet(jwks)
      }
      return (held as JWTVerifyGetKey)(header, token)
    }
  }
}
