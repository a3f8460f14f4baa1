import { z } from 'zod'
import { bool, int } from './env-fields.js'

// The entity cache, in Redis or in-process; TTLs from the SDL's @cacheControl (docs/cache.md).

/** `{"Product.price":1,"User":60}`: maxAge in s per schema coordinate, overriding the SDL. */
const ttlOverrides = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object like {"Product.price":1}' })
      return z.NEVER
    }
  })
  .pipe(
    z.record(
      z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/, 'keys are schema coordinates like "Product" or "Product.price"'),
      z.number().int().min(0).max(86_400),
    ),
  )
/** `host:port,host:port` */
const clusterNodes = z
  .string()
  .transform((list) => list.split(',').map((node) => node.trim()).filter((node) => node.length > 0))
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port')).min(1))

export const cacheVars = {
  /** false: nothing is cached, every read goes downstream (the benchmark's baseline). */
  CACHE_ENABLED: bool.default(true),
  /**
   * Where entities are kept. Unset: in Redis when REDIS_URL or REDIS_CLUSTER_NODES is set, else in
   * process. `memory` with Redis: each instance keeps its own, kept in step by the shared event log
   * that every instance reads (the event log, rate limits and subscriptions stay on Redis).
   */
  CACHE_STORE: z.enum(['redis', 'memory']).optional(),
  /** Starts every cache key, so environments or tenants can share one Redis. No braces (cluster hash tags). */
  CACHE_KEY_PREFIX: z.string().regex(/^[\w.:-]{0,64}$/, 'letters, digits and . : - _ only').default('bff:'),
  /** Version segment of every key; bump it when a cached DTO shape changes incompatibly. */
  CACHE_KEY_VERSION: int(1, 1_000_000).default(1),
  /** Redis Cluster seed nodes; when set, the cache uses the cluster instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /** Time limit of every Redis call, in ms; past it the call fails and the query goes downstream. */
  CACHE_REDIS_TIMEOUT_MS: int(5, 10_000).default(100),
  CACHE_REDIS_CONNECT_TIMEOUT_MS: int(10, 60_000).default(1_000),
  /** Longest pause between Redis reconnect attempts, in ms (exponential from 50 ms). */
  CACHE_REDIS_RECONNECT_MAX_MS: int(10, 60_000).default(1_000),
  /** Consecutive Redis failures that open the cache breaker (cache bypassed, Redis not called). */
  CACHE_BREAKER_THRESHOLD: int(1, 1_000).default(3),
  /** ms the cache breaker stays open before one probe call. */
  CACHE_BREAKER_HALF_OPEN_MS: int(10, 600_000).default(1_000),
  /** Entries the in-process store (no Redis configured) holds before evicting the least recently used. */
  CACHE_MEMORY_MAX_ENTRIES: int(1, 10_000_000).default(50_000),
  /** maxAge in s for schema coordinates without @cacheControl; 0 = not cached (Apollo's default). */
  CACHE_DEFAULT_MAX_AGE_S: int(0, 86_400).default(0),
  CACHE_TTL_OVERRIDES: ttlOverrides.default({}),
  /** "Not found" answers are cached this long, in s; 0 disables negative caching. */
  CACHE_NEGATIVE_TTL_S: int(0, 3_600).default(5),
  /** Past maxAge, an entry is still served for this many s while one background refresh runs. */
  CACHE_STALE_WHILE_REVALIDATE_S: int(0, 86_400).default(10),
  /** Past maxAge, an entry is served for this many s when the downstream fails. */
  CACHE_STALE_IF_ERROR_S: int(0, 86_400).default(300),
  /**
   * Resources every change of which arrives as a domain event (stock and price, a user's orders, notifications)
   * stay fresh in the entity cache this long, in s, when the event log is shared with the services (Redis
   * Streams, or the embedded log of `npm start`); their SDL maxAge still sets Cache-Control. 0: their maxAge.
   */
  CACHE_EVENT_INVALIDATED_MAX_AGE_S: int(0, 86_400).default(300),
  /** Up to this % of maxAge is cut from each cache write's fresh period, at random: entries written together go stale apart. */
  CACHE_TTL_JITTER_PERCENT: int(0, 50).default(10),
  /** Stampede lease held by the instance fetching a missing entry, in ms. */
  CACHE_LEASE_TTL_MS: int(10, 60_000).default(1_000),
  /** How long other instances wait for the lease holder's write, in ms; 0 disables leases. */
  CACHE_LEASE_WAIT_MS: int(0, 10_000).default(200),
  /** Decoded PUBLIC entities held in the in-process L1 in front of Redis (none with the embedded store); 0 disables the L1. */
  CACHE_L1_MAX_ENTRIES: int(0, 10_000_000).default(10_000),
  /**
   * Longest an entity stays in the L1, in ms (never past its freshness). What it alone bounds is an
   * invalidation heard only over pub/sub whose broadcast was lost; the default is the shortest maxAge of
   * an L1 resource in the SDL (price and stock), so such a loss is never served longer than a client may
   * already cache that field (docs/cache.md, "Consistency it gives").
   */
  CACHE_L1_TTL_MS: int(1, 60_000).default(5_000),
  /**
   * Heartbeat on the invalidation channel, in ms: the L1 (and kept answers) are bypassed once nothing
   * was heard on it for three periods, though subscribed (a frozen Redis, a dead link TCP has not
   * noticed). 0: no heartbeat; then only a dropped connection is noticed.
   */
  CACHE_L1_HEARTBEAT_MS: int(0, 10_000).default(250),
  /**
   * Keep whole query answers read only from cache entries (fresh, or past it within stale-while-revalidate with
   * the in-process store: RESPONSE_CACHE_SERVE_STALE), tagged with them. Unset: on, except with
   * entities in Redis and no L1 (CACHE_L1_MAX_ENTRIES=0), where true is refused: there they live behind the L1.
   */
  RESPONSE_CACHE_ENABLED: bool.optional(),
  /** Answers kept at most; the least recently used beyond are dropped. */
  RESPONSE_CACHE_MAX_ENTRIES: int(1, 1_000_000).default(10_000),
  /**
   * With the in-process store: serve kept answers past their entries' freshness, within those entries'
   * stale-while-revalidate window, until a refresh brings back another value (docs/cache.md). false: only
   * while every entry read is fresh. With Redis answers always end at freshness.
   */
  RESPONSE_CACHE_SERVE_STALE: bool.default(true),
}

/** The entity cache (src/cache): store, keys, TTL policy, stampede and outage handling. */
export interface CacheConfig {
  /** false: nothing is cached. */
  readonly enabled: boolean
  /** Where entities are kept: Redis (or its cluster), or this process. */
  readonly store: 'redis' | 'memory'
  /** Key prefix, e.g. `bff:`. */
  readonly keyPrefix: string
  /** Key version segment (`v<n>`). */
  readonly keyVersion: number
  /** Redis Cluster seed nodes; null: standalone REDIS_URL (or the in-process store). */
  readonly clusterNodes: readonly { readonly host: string; readonly port: number }[] | null
  /** Limit per Redis call (ms). */
  readonly redisTimeoutMs: number
  readonly redisConnectTimeoutMs: number
  /** Reconnect backoff cap (ms). */
  readonly redisReconnectMaxMs: number
  /** Consecutive failures that open the cache breaker. */
  readonly breakerThreshold: number
  /** Open time before a probe (ms). */
  readonly breakerHalfOpenMs: number
  /** In-process store bound (entries). */
  readonly memoryMaxEntries: number
  /** maxAge (s) where the SDL has no hint. */
  readonly defaultMaxAgeS: number
  /** maxAge (s) by schema coordinate, over the SDL. */
  readonly ttlOverridesS: Readonly<Record<string, number>>
  readonly negativeTtlS: number
  readonly staleWhileRevalidateS: number
  readonly staleIfErrorS: number
  /** Up to this % of maxAge is cut from each write's fresh period, at random. */
  readonly ttlJitterPercent: number
  /** Fresh period (s) of event-invalidated resources where events reach the cache; 0: their maxAge. */
  readonly eventInvalidatedMaxAgeS: number
  readonly leaseTtlMs: number
  /** 0 disables cross-instance leases. */
  readonly leaseWaitMs: number
  /** Entries of the in-process L1 of decoded PUBLIC entities; 0: no L1. */
  readonly l1MaxEntries: number
  /** Longest life of an L1 entry (ms); never past the entry's freshness. */
  readonly l1TtlMs: number
  /** Heartbeat period on the invalidation channel (ms); 0: none. */
  readonly l1HeartbeatMs: number
  /**
   * Whole answers kept in front of execution (response-cache.ts); null: off (always with Redis and no L1).
   * `serveStale`: past their entries' freshness, within stale-while-revalidate (never with Redis).
   */
  readonly responses: { readonly maxEntries: number; readonly serveStale: boolean } | null
}

/** `redisUrlSet`: REDIS_URL is set (it belongs to the redis section); with it, or cluster nodes, the store is Redis unless CACHE_STORE says otherwise. */
export function cacheConfig(e: z.output<z.ZodObject<typeof cacheVars>>, redisUrlSet: boolean): CacheConfig {
  const nodes = e.REDIS_CLUSTER_NODES
  const store = e.CACHE_STORE ?? (redisUrlSet || nodes !== undefined ? 'redis' : 'memory')
  const withRedis = store === 'redis'
  return {
    enabled: e.CACHE_ENABLED,
    store,
    keyPrefix: e.CACHE_KEY_PREFIX,
    keyVersion: e.CACHE_KEY_VERSION,
    clusterNodes:
      nodes === undefined
        ? null
        : nodes.map((node) => {
            const at = node.lastIndexOf(':')
            return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
          }),
    redisTimeoutMs: e.CACHE_REDIS_TIMEOUT_MS,
    redisConnectTimeoutMs: e.CACHE_REDIS_CONNECT_TIMEOUT_MS,
    redisReconnectMaxMs: e.CACHE_REDIS_RECONNECT_MAX_MS,
    breakerThreshold: e.CACHE_BREAKER_THRESHOLD,
    breakerHalfOpenMs: e.CACHE_BREAKER_HALF_OPEN_MS,
    memoryMaxEntries: e.CACHE_MEMORY_MAX_ENTRIES,
    defaultMaxAgeS: e.CACHE_DEFAULT_MAX_AGE_S,
    ttlOverridesS: e.CACHE_TTL_OVERRIDES,
    negativeTtlS: e.CACHE_NEGATIVE_TTL_S,
    staleWhileRevalidateS: e.CACHE_STALE_WHILE_REVALIDATE_S,
    staleIfErrorS: e.CACHE_STALE_IF_ERROR_S,
    ttlJitterPercent: e.CACHE_TTL_JITTER_PERCENT,
    eventInvalidatedMaxAgeS: e.CACHE_EVENT_INVALIDATED_MAX_AGE_S,
    leaseTtlMs: e.CACHE_LEASE_TTL_MS,
    leaseWaitMs: e.CACHE_LEASE_WAIT_MS,
    l1MaxEntries: e.CACHE_L1_MAX_ENTRIES,
    l1TtlMs: e.CACHE_L1_TTL_MS,
    l1HeartbeatMs: e.CACHE_L1_HEARTBEAT_MS,
    responses:
      e.RESPONSE_CACHE_ENABLED !== false && e.CACHE_ENABLED && (!withRedis || e.CACHE_L1_MAX_ENTRIES > 0)
        ? { maxEntries: e.RESPONSE_CACHE_MAX_ENTRIES, serveStale: e.RESPONSE_CACHE_SERVE_STALE && !withRedis }
        : null,
  }
}
