import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { BucketPolicy, BucketVerdict } from './token-bucket.js'

/**
 * The token bucket in Redis: one key per bucket (a hash of tokens and the
 * time of the last charge), checked, refilled and charged by one script in
 * one round trip, so concurrent charges from every instance are serialised by
 * Redis and none can spend the same points twice. Time is the Redis server's
 * (TIME), so instances whose clocks disagree still share one refill. One key
 * per script call is what Redis Cluster needs: no hash tags, any slot.
 *
 * Why our own script: rate-limiter-flexible, the well-kept library, keeps
 * fixed windows in Redis (SET NX EX + INCRBY + PTTL): its msBeforeNext is the
 * window's edge, not the wait for enough points, and a caller may spend twice
 * the quota across a window boundary. Its BurstyRateLimiter stacks two such
 * windows (two round trips). None refills continuously or answers a charge of
 * N points with the exact wait. The script is the arithmetic of
 * token-bucket.ts's `charge`, nothing more.
 *
 * A refused charge writes nothing: the refill it computed is recomputed, the
 * same, by the next call. The key expires once the bucket would be full
 * again, so idle callers cost no memory.
 */
const SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
  at = now
end
if tokens >= cost then
  tokens = tokens - cost
  redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
  return {1, tostring(tokens), 0}
end
return {0, tostring(tokens), math.ceil((cost - tokens) * 1000 / rate)}
`

const SHA = createHash('sha1').update(SCRIPT).digest('hex')

export interface RedisBuckets {
  /** Charges `cost` to the bucket at `key`; rejects when Redis fails (the caller falls back). */
  charge(key: string, cost: number): Promise<BucketVerdict>
}

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT')

/** Buckets in Redis (standalone or Cluster) under the client it is handed. */
export function createRedisBuckets(client: Redis | Cluster, policy: BucketPolicy): RedisBuckets {
  const args = (cost: number): string[] => [String(policy.capacity), String(policy.refillPerSecond), String(cost)]
  return {
    async charge(key, cost) {
      let reply: unknown
      try {
        reply = await client.evalsha(SHA, 1, key, ...args(cost))
      } catch (error) {
        // Once per node (and after a restart or SCRIPT FLUSH): EVAL also caches the script for next time.
        if (!isNoScript(error)) throw error
        reply = await client.eval(SCRIPT, 1, key, ...args(cost))
      }
      return verdictOf(reply)
    },
  }
}

function verdictOf(reply: unknown): BucketVerdict {
  if (!Array.isArray(reply) || reply.length !== 3) throw new TypeError('rate limit script: unexpected reply')
  const [allowed, remaining, waitMs] = reply as unknown[]
  return { allowed: allowed === 1, remaining: Number(remaining), waitMs: Number(waitMs) }
}
