import { z } from 'zod'
import { bool, int, optionalInt } from './env-fields.js'

// The edge: operation limits, cost-based rate limiting per caller, and who the caller is behind proxies.

/**
 * fastify's `trustProxy`: `true`/`false`, a hop count, or a comma-separated
 * list of addresses and CIDR ranges whose X-Forwarded-For is believed.
 */
const trustProxy = z.string().transform((text): boolean | number | string => {
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^\d+$/.test(text)) return Number(text)
  return text
})

export const edgeVars = {
  /** Aliases one operation may use (graphql-armor max-aliases, counted through fragments); beyond, TOO_MANY_ALIASES. */
  GRAPHQL_MAX_ALIASES: int(1, 10_000).default(30),
  /** Directives one operation may carry (graphql-armor max-directives, counted through fragments); beyond, TOO_MANY_DIRECTIVES. */
  GRAPHQL_MAX_DIRECTIVES: int(1, 10_000).default(50),
  /** Largest cost one operation may have (edge/cost.ts); beyond, COST_LIMIT_EXCEEDED. 0 disables the check. */
  GRAPHQL_MAX_COST: int(0, 1_000_000_000).default(1_000),
  /** Charge every operation's cost to its caller's token bucket; over it, RATE_LIMITED (429). */
  RATE_LIMIT_ENABLED: bool.default(true),
  /** Bucket capacity, in cost points: what a caller may spend at once. */
  RATE_LIMIT_BURST: int(1, 1_000_000_000).default(1_000),
  /** Cost points a bucket regains per second, continuously. */
  RATE_LIMIT_POINTS_PER_SECOND: z.coerce.number().positive().max(1_000_000_000).default(50),
  /** Instances sharing the limit: while Redis is unreachable each allows burst and rate ÷ this. Unset: the whole rate. */
  RATE_LIMIT_INSTANCES_HINT: optionalInt(1, 10_000),
  /** Longest a request waits for the Redis bucket, in ms; past it the instance's own bucket answers. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: int(1, 10_000).default(50),
  /** After Redis failed, how long the instance's own buckets answer before Redis is tried again, in ms. */
  RATE_LIMIT_REDIS_RETRY_MS: int(10, 600_000).default(1_000),
  /** Starts every bucket's Redis key. */
  RATE_LIMIT_KEY_PREFIX: z.string().regex(/^[\w.:-]{0,64}$/, 'letters, digits and . : - _ only').default('bff:rl:'),
  /** Buckets held in process (embedded store and Redis fallback); the least recently used beyond are dropped (full again). */
  RATE_LIMIT_MAX_BUCKETS: int(1, 10_000_000).default(100_000),
  /**
   * A caller back before its Retry-After is refused again, after holding its
   * request this long (at most the wait left, in ms): a client looping on
   * 429s then slows itself instead of the process. 0 answers at once.
   */
  RATE_LIMIT_EARLY_RETRY_DELAY_MS: int(0, 60_000).default(1_000),
  /** Whose X-Forwarded-For names the client (fastify trustProxy). @default false: the socket's peer is the client */
  TRUST_PROXY: trustProxy.default(false),
}

export interface RateLimitConfig {
  readonly enabled: boolean
  /** Bucket capacity in cost points. */
  readonly burst: number
  /** Refill in cost points per second. */
  readonly pointsPerSecond: number
  /** Instances the shared limit is split over while Redis is unreachable (1: each allows the whole rate). */
  readonly instancesHint: number
  readonly redisTimeoutMs: number
  readonly redisRetryMs: number
  readonly keyPrefix: string
  readonly maxBuckets: number
  /** How long an early retry is held before its 429, in ms; 0: at once. */
  readonly earlyRetryDelayMs: number
}

export interface EdgeConfig {
  readonly maxAliases: number
  readonly maxDirectives: number
  /** 0: no cost limit. */
  readonly maxCost: number
  readonly rateLimit: RateLimitConfig
  /** fastify's trustProxy option. */
  readonly trustProxy: boolean | number | string
}

export function edgeConfig(e: z.output<z.ZodObject<typeof edgeVars>>): EdgeConfig {
  return {
    maxAliases: e.GRAPHQL_MAX_ALIASES,
    maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
    maxCost: e.GRAPHQL_MAX_COST,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      burst: e.RATE_LIMIT_BURST,
      pointsPerSecond: e.RATE_LIMIT_POINTS_PER_SECOND,
      instancesHint: e.RATE_LIMIT_INSTANCES_HINT ?? 1,
      redisTimeoutMs: e.RATE_LIMIT_REDIS_TIMEOUT_MS,
      redisRetryMs: e.RATE_LIMIT_REDIS_RETRY_MS,
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
      maxBuckets: e.RATE_LIMIT_MAX_BUCKETS,
      earlyRetryDelayMs: e.RATE_LIMIT_EARLY_RETRY_DELAY_MS,
    },
    trustProxy: e.TRUST_PROXY,
  }
}
