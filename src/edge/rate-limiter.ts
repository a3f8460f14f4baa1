import type { Cluster, Redis } from 'ioredis'
import type { RateLimitConfig } from '../config/load-config.js'
import { createRedisBuckets } from './redis-bucket.js'
import { createLocalBuckets, type BucketPolicy, type BucketVerdict } from './token-bucket.js'

/** One charge's answer, with the policy that gave it (headers and extensions.cost report both). */
export interface RateVerdict extends BucketVerdict {
  readonly policy: BucketPolicy
  /** Which buckets answered: Redis (shared), or this instance's (embedded, or fallback while Redis is unreachable). */
  readonly store: 'redis' | 'local' | 'fallback'
}

export interface RateLimiter {
  /**
   * Charges `cost` points to `caller`'s bucket. Never rejects and, with Redis,
   * never waits longer than its time limit: on any Redis failure this
   * instance's own buckets answer, with its share of the rate.
   */
  charge(caller: string, cost: number): Promise<RateVerdict>
  /** For /health/ready: `degraded` while Redis is bypassed; `failures`: Redis calls failed or timed out since start. */
  status(): { readonly store: 'redis' | 'memory'; readonly degraded: boolean; readonly failures: number }
}

export interface RateLimiterOptions {
  readonly config: RateLimitConfig
  /** The shared store; null: in-process buckets only (the embedded default). */
  readonly redis: Redis | Cluster | null
  /** ms clock for the in-process buckets and the retry pause. @default performance.now */
  readonly now?: undefined | (() => number)
  /** Told once each time Redis is bypassed and once when it is used again. */
  readonly onStoreChange?: undefined | ((degraded: boolean, error?: unknown) => void)
}

class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`rate limit store did not answer within ${ms} ms`)
    this.name = 'RedisTimeout'
  }
}

/**
 * The caller's token bucket: in Redis when one is configured (every instance
 * charges the same bucket), in process otherwise. Redis failing or slower
 * than RATE_LIMIT_REDIS_TIMEOUT_MS costs a request at most that long: it is
 * answered from this instance's buckets, each allowing burst and rate ÷
 * RATE_LIMIT_INSTANCES_HINT, so the instances together allow about what
 * Redis would. Redis is then left alone for RATE_LIMIT_REDIS_RETRY_MS, after
 * which one request at a time tries it again; the first that succeeds ends
 * the fallback.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { config } = options
  const now = options.now ?? (() => performance.now())
  const policy: BucketPolicy = { capacity: config.burst, refillPerSecond: config.pointsPerSecond }
  const share: BucketPolicy = { capacity: config.burst / config.instancesHint, refillPerSecond: config.pointsPerSecond / config.instancesHint }
  const local = createLocalBuckets({ policy: options.redis === null ? policy : share, maxBuckets: config.maxBuckets, now })
  const redis = options.redis === null ? null : createRedisBuckets(options.redis, policy)
  let bypassedUntil = -Infinity
  let degraded = false
  let probing = false
  let failures = 0

  const fromLocal = (caller: string, cost: number, store: 'local' | 'fallback'): RateVerdict => {
    // A charge above what a bucket can hold would wait forever: it takes the whole bucket instead.
    const verdict = local.charge(caller, Math.min(cost, local.policy.capacity))
    return { ...verdict, policy: local.policy, store }
  }

  /**
   * Timers run before I/O callbacks in a turn of the event loop: on a busy
   * instance the reply can already sit in the socket when the timer fires.
   * One setImmediate lets it be read first (as cache/guarded-store.ts does),
   * so our own lag is not taken for a slow Redis (the accuracy test on a
   * loaded machine admitted 40 % too much without it, under 1 % off with it).
   */
  function withTimeout<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => setImmediate(() => reject(new RedisTimeout(config.redisTimeoutMs))), config.redisTimeoutMs)
      promise.then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  return {
    async charge(caller, cost) {
      const key = config.keyPrefix + caller
      if (redis === null) return fromLocal(key, cost, 'local')
      if (degraded && (probing || now() < bypassedUntil)) return fromLocal(key, cost, 'fallback')
      const probe = degraded
      if (probe) probing = true
      try {
        const verdict = await withTimeout(redis.charge(key, Math.min(cost, policy.capacity)))
        // The fallback bucket follows this instance's share of the shared one, so a fallback starts
        // where the caller stood, not with a full bucket (which, on every short outage, gave each
        // instance a whole extra burst; docs/benchmarks.md, "Accuracy of the shared bucket").
        local.follow(key, verdict.remaining / config.instancesHint)
        if (degraded) {
          degraded = false
          options.onStoreChange?.(false)
        }
        return { ...verdict, policy, store: 'redis' }
      } catch (error) {
        failures += 1
        bypassedUntil = now() + config.redisRetryMs
        if (!degraded) {
          degraded = true
          options.onStoreChange?.(true, error)
        }
        return fromLocal(key, cost, 'fallback')
      } finally {
        if (probe) probing = false
      }
    },
    status: () => ({ store: redis === null ? 'memory' : 'redis', degraded, failures }),
  }
}
