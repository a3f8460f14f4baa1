import type { AuthConfig } from '../config/auth.js'
import { bearerCredential } from './bearer.js'
import { createKeySet } from './key-set.js'
import { TokenRejection } from './token-rejection.js'
import { createTokenVerifier, type TokenVerifier } from './token-verifier.js'
import { ANONYMOUS, type Viewer } from './viewer.js'

/** Who is asking, and until when that holds. */
export interface ResolvedViewer {
  readonly viewer: Viewer
  /** When the token stops being valid, in epoch ms; null when anonymous. */
  readonly expiresAtMs: number | null
}

/** The one place a credential becomes a viewer, for every transport. */
export interface Identity {
  /** False with AUTH_DISABLED=true: no token is read, every caller is anonymous and no rule applies. */
  readonly enforced: boolean
  /**
   * Resolves an `Authorization` header value (or a websocket's `authorization`
   * field): absent → anonymous; present and invalid → throws TokenRejection.
   */
  resolve(credential: unknown): Promise<ResolvedViewer>
}

const ANONYMOUS_RESOLVED: ResolvedViewer = Object.freeze({ viewer: ANONYMOUS, expiresAtMs: null })

export function createIdentity(config: AuthConfig): Identity {
  if (config.disabled) return { enforced: false, resolve: async () => ANONYMOUS_RESOLVED }
  const verifier: TokenVerifier = createTokenVerifier({
    keys: createKeySet({ jwksUrl: config.jwksUrl, timeoutMs: config.jwksTimeoutMs, cooldownMs: config.jwksCooldownMs, maxAgeMs: config.jwksMaxAgeMs }),
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    clockToleranceS: config.clockToleranceS,
    cacheEntries: config.tokenCacheEntries,
  })
  return {
    enforced: true,
    async resolve(credential) {
      const read = bearerCredential(credential)
      if (read.kind === 'none') return ANONYMOUS_RESOLVED
      if (read.kind === 'malformed') throw new TokenRejection('malformed')
      const verified = await verifier.verify(read.token)
      return { viewer: verified.viewer, expiresAtMs: verified.expiresAtMs }
    },
  }
}
