import { LRUCache } from 'lru-cache'

/** A bucket's size and refill: capacity in cost points, refilled continuously. */
export interface BucketPolicy {
  /** Points a full bucket holds (RATE_LIMIT_BURST). */
  readonly capacity: number
  /** Points regained per second (RATE_LIMIT_POINTS_PER_SECOND). */
  readonly refillPerSecond: number
}

/** The answer to one charge. */
export interface BucketVerdict {
  readonly allowed: boolean
  /** Points left after this charge (or, refused, before it: nothing was taken). */
  readonly remaining: number
  /** Refused: ms until the bucket holds enough for this charge. 0 when allowed. */
  readonly waitMs: number
}

export interface BucketState {
  tokens: number
  updatedMs: number
}

/**
 * One charge against a bucket, in place: refill for the time since the last
 * charge (a clock that went backwards refills nothing), then take `cost` if
 * the bucket holds it. A refused charge takes nothing, so a caller who waits
 * `waitMs` is served. The same arithmetic as the Redis script
 * (redis-bucket.ts), so the embedded store and Redis agree.
 */
export function charge(state: BucketState, policy: BucketPolicy, cost: number, nowMs: number): BucketVerdict {
  if (nowMs > state.updatedMs) {
    state.tokens = Math.min(policy.capacity, state.tokens + ((nowMs - state.updatedMs) * policy.refillPerSecond) / 1_000)
    state.updatedMs = nowMs
  }
  if (state.tokens >= cost) {
    state.tokens -= cost
    return { allowed: true, remaining: state.tokens, waitMs: 0 }
  }
  return { allowed: false, remaining: state.tokens, waitMs: Math.ceil(((cost - state.tokens) * 1_000) / policy.refillPerSecond) }
}

/** Buckets keyed by caller, in process. */
export interface LocalBuckets {
  charge(key: string, cost: number): BucketVerdict
  /** Sets `key`'s bucket to `tokens` (at most its capacity) as of now: a fallback bucket following the shared one. */
  follow(key: string, tokens: number): void
  readonly policy: BucketPolicy
}

export interface LocalBucketsOptions {
  readonly policy: BucketPolicy
  /** Buckets held; the least recently charged beyond are forgotten (a forgotten bucket is full). */
  readonly maxBuckets: number
  /** ms clock. @default performance.now */
  readonly now?: undefined | (() => number)
}

/** In-process buckets: the embedded default, and each instance's fallback while Redis is unreachable. */
export function createLocalBuckets(options: LocalBucketsOptions): LocalBuckets {
  const { policy } = options
  if (!(policy.capacity > 0) || !(policy.refillPerSecond > 0)) {
    throw new TypeError(`createLocalBuckets: capacity and refillPerSecond must be positive, got ${policy.capacity} and ${policy.refillPerSecond}`)
  }
  const now = options.now ?? (() => performance.now())
  const buckets = new LRUCache<string, BucketState>({ max: options.maxBuckets })
  return {
    policy,
    charge(key, cost) {
      const at = now()
      let state = buckets.get(key)
      if (state === undefined) {
        state = { tokens: policy.capacity, updatedMs: at }
        buckets.set(key, state)
      }
      return charge(state, policy, cost, at)
    },
    follow(key, tokens) {
      const at = now()
      const level = Math.min(policy.capacity, Math.max(0, tokens))
      const state = buckets.get(key)
      if (state === undefined) buckets.set(key, { tokens: level, updatedMs: at })
      else {
        state.tokens = level
        state.updatedMs = at
      }
    },
  }
}
