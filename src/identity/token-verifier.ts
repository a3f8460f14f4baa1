import { createHash } from 'node:crypto'
import { jwtVerify, type JWTVerifyGetKey } from 'jose'
import { LRUCache } from 'lru-cache'
import type { AsymmetricAlgorithm } from '../config/auth.js'
import { rejectionFrom, TokenRejection } from './token-rejection.js'
import type { Viewer } from './viewer.js'

/** A verified token's viewer and when it stops being valid. */
export interface VerifiedToken {
  readonly viewer: Viewer
  /** The token's `exp`, in epoch ms. */
  readonly expiresAtMs: number
}

export interface TokenVerifier {
  /** Verifies signature, algorithm, `iss`, `aud`, `exp`, `nbf`; throws TokenRejection. */
  verify(token: string): Promise<VerifiedToken>
}

export interface TokenVerifierOptions {
  readonly keys: JWTVerifyGetKey
  readonly issuer: string
  readonly audience: string
  readonly algorithms: readonly AsymmetricAlgorithm[]
  readonly clockToleranceS: number
  /** Verified tokens remembered until their `exp`; 0: verify every time. */
  readonly cacheEntries: number
  /** @default Date.now */
  readonly now?: undefined | (() => number)
}

function scopesOf(scope: unknown): ReadonlySet<string> {
  if (scope === undefined) return new Set()
  if (typeof scope !== 'string') throw new TokenRejection('claims', { claim: 'scope' })
  return new Set(scope.split(' ').filter((s) => s !== ''))
}

/**
 * Verifies bearer tokens with jose. A verified token is remembered by the
 * SHA-256 of its text (never the text itself) until its `exp`, in a bounded
 * LRU: a signature check costs far more than a hash (docs/benchmarks.md,
 * "Identity"), and a client sends the same token for an hour. Failures are
 * not remembered: they are cheap to find again, and an attacker sending
 * garbage must not evict good entries.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...options.algorithms],
    clockTolerance: options.clockToleranceS,
    requiredClaims: ['sub', 'exp'],
  }
  const cache = options.cacheEntries > 0 ? new LRUCache<string, VerifiedToken>({ max: options.cacheEntries }) : null

  async function verifyUncached(token: string): Promise<VerifiedToken> {
    const at = options.now === undefined ? verifyOptions : { ...verifyOptions, currentDate: new Date(now()) }
    const { payload } = await jwtVerify(token, options.keys, at).catch((error: unknown) => {
      throw rejectionFrom(error)
    })
    const { sub, exp } = payload
    if (typeof sub !== 'string' || sub === '') throw new TokenRejection('claims', { claim: 'sub' })
    if (typeof exp !== 'number') throw new TokenRejection('claims', { claim: 'exp' })
    const viewer: Viewer = Object.freeze({ subject: sub, scopes: scopesOf(payload['scope']), token })
    return { viewer, expiresAtMs: exp * 1_000 }
  }

  return {
    async verify(token) {
      if (cache === null) return verifyUncached(token)
      const key = createHash('sha256').update(token).digest('base64url')
      const hit = cache.get(key)
      // Only until `exp` itself: the clock tolerance is for clocks that disagree, not a longer life.
      if (hit !== undefined && hit.expiresAtMs > now()) return hit
      if (hit !== undefined) cache.delete(key)
      const verified = await verifyUncached(token)
      cache.set(key, verified)
      return verified
    },
  }
}
