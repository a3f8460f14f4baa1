import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import type { RateLimitConfig } from '../../../src/config/load-config.js'
import { createRateLimiter } from '../../../src/edge/rate-limiter.js'

const config: RateLimitConfig = {
  enabled: true,
  burst: 100,
  pointsPerSecond: 10,
  instancesHint: 4,
  redisTimeoutMs: 20,
  redisRetryMs: 1_000,
  keyPrefix: 't:',
  maxBuckets: 100,
  earlyRetryDelayMs: 0,
}

/** A Redis stand-in whose script call does what `behave` says: the breaker logic, not the script (test/integration/edge runs that). */
function fakeRedis(behave: () => Promise<unknown>): { client: Redis; calls: () => number } {
  let calls = 0
  const client = {
    evalsha: () => {
      calls += 1
      return behave()
    },
    eval: () => behave(),
  } as unknown as Redis
  return { client, calls: () => calls }
}

describe('rate limiter store selection', () => {
  it('falls back to a quarter share per instance when Redis fails, leaves Redis alone for the retry pause, then goes back', async () => {
    let now = 0
    let failing = true
    const redis = fakeRedis(async () => {
      if (failing) throw new Error('connection is closed')
      return [1, '90', 0]
    })
    const changes: boolean[] = []
    const limiter = createRateLimiter({ config, redis: redis.client, now: () => now, onStoreChange: (degraded) => changes.push(degraded) })
    const first = await limiter.charge('c', 10)
    expect(first).toMatchObject({ allowed: true, store: 'fallback', policy: { capacity: 25, refillPerSecond: 2.5 }, remaining: 15 })
    expect(limiter.status()).toMatchObject({ degraded: true })
    await limiter.charge('c', 10)
    expect(redis.calls()).toBe(1)
    expect((await limiter.charge('c', 10)).allowed).toBe(false)
    failing = false
    now += 1_000
    expect(await limiter.charge('c', 10)).toMatchObject({ allowed: true, store: 'redis', remaining: 90, policy: { capacity: 100 } })
    expect(limiter.status()).toMatchObject({ degraded: false })
    expect(changes).toEqual([true, false])
  })

  it('starts a fallback where the caller stood in Redis (its share), not from a full bucket', async () => {
    let failing = false
    const redis = fakeRedis(async () => {
      if (failing) throw new Error('connection is closed')
      return [1, '8', 0]
    })
    const limiter = createRateLimiter({ config, redis: redis.client, now: () => 0 })
    expect((await limiter.charge('c', 92)).store).toBe('redis')
    failing = true
    // 8 points left in Redis, a quarter of them here: 2.
    expect(await limiter.charge('c', 3)).toMatchObject({ allowed: false, store: 'fallback', remaining: 2 })
  })

  it('answers from the fallback within the time limit when Redis does not answer at all', async () => {
    const redis = fakeRedis(() => new Promise(() => undefined))
    const limiter = createRateLimiter({ config, redis: redis.client })
    const started = performance.now()
    const verdict = await limiter.charge('c', 1)
    expect(verdict).toMatchObject({ allowed: true, store: 'fallback' })
    expect(performance.now() - started).toBeLessThan(config.redisTimeoutMs + 200)
  })

  it('keeps the whole rate in process when there is no Redis, and caps a charge above capacity at a full bucket', async () => {
    const limiter = createRateLimiter({ config, redis: null, now: () => 0 })
    expect(await limiter.charge('c', 500)).toMatchObject({ allowed: true, store: 'local', remaining: 0, policy: { capacity: 100 } })
    expect(limiter.status()).toEqual({ store: 'memory', degraded: false, failures: 0 })
  })
})
