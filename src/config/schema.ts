import { z } from 'zod'
import { DEFAULT_SERVICE_PORTS, SERVICE_NAMES, type ServiceName } from './services.js'

/**
 * The environment variables the BFF reads, with types, bounds and defaults.
 * Units are in the names (`_MS`, `_BYTES`). Every timeout is explicit: library
 * defaults (undici waits 300 s for headers and body, fastify has no request
 * timeout) are not safe for a gateway.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const url = z.url({ protocol: /^https?$/ })

const serviceVars = Object.fromEntries(
  SERVICE_NAMES.flatMap((name) => {
    const prefix = name.toUpperCase()
    return [
      [`${prefix}_URL`, url.default(`http://127.0.0.1:${DEFAULT_SERVICE_PORTS[name]}`)],
      [`${prefix}_TIMEOUT_MS`, int(1, 60_000).optional()],
      [`${prefix}_CONNECTIONS`, int(1, 1_024).optional()],
    ]
  }),
) as Record<`${Uppercase<ServiceName>}_${'URL' | 'TIMEOUT_MS' | 'CONNECTIONS'}`, z.ZodType>

// --- resilience (issue 3): deadlines, retries, breakers, bulkheads ---
const ratio = z.coerce.number().min(0).max(1)
const optionalInt = (min: number, max: number) => int(min, max).optional()

/** Per-service overrides of the DOWNSTREAM_* resilience defaults; unset means the default applies. */
const resilienceServiceVars = Object.fromEntries(
  SERVICE_NAMES.flatMap((name) => {
    const prefix = name.toUpperCase()
    return [
      [`${prefix}_ATTEMPT_TIMEOUT_MS`, optionalInt(1, 60_000)],
      [`${prefix}_RETRY_MAX`, optionalInt(0, 5)],
      [`${prefix}_BULKHEAD_CONCURRENCY`, optionalInt(1, 10_000)],
      [`${prefix}_BULKHEAD_QUEUE`, optionalInt(0, 100_000)],
    ]
  }),
) as Record<`${Uppercase<ServiceName>}_${'ATTEMPT_TIMEOUT_MS' | 'RETRY_MAX' | 'BULKHEAD_CONCURRENCY' | 'BULKHEAD_QUEUE'}`, ReturnType<typeof optionalInt>>

const resilienceVars = {
  /** Whole GraphQL request, in ms: every downstream call gets min(its timeout, time left). */
  REQUEST_DEADLINE_MS: int(1, 600_000).default(2_000),
  /** One attempt of a call, in ms; unset: the call's whole timeout (then timeouts leave no room to retry). */
  DOWNSTREAM_ATTEMPT_TIMEOUT_MS: int(1, 60_000).optional(),
  /** Retries of an idempotent (GET) call on connection errors, 502/503/504 and timeouts. */
  DOWNSTREAM_RETRY_MAX: int(0, 5).default(1),
  /** Backoff ceiling of the first retry in ms (full jitter: random(0, min(cap, base * 2^n))). */
  DOWNSTREAM_RETRY_BASE_MS: int(1, 10_000).default(25),
  DOWNSTREAM_RETRY_CAP_MS: int(1, 60_000).default(250),
  /** Retry budget: retries in flight <= max(MIN_CONCURRENCY, RATIO * active calls), per service (Envoy). */
  DOWNSTREAM_RETRY_BUDGET_RATIO: ratio.default(0.2),
  DOWNSTREAM_RETRY_MIN_CONCURRENCY: int(0, 10_000).default(3),
  /** The circuit opens at this failure share over the window... */
  DOWNSTREAM_BREAKER_FAILURE_RATIO: ratio.refine((v) => v > 0, 'must be > 0').default(0.5),
  /** ...once at least this many calls were made in it (Hystrix: 50 % over >= 20 calls in 10 s). */
  DOWNSTREAM_BREAKER_MIN_CALLS: int(1, 1_000_000).default(20),
  DOWNSTREAM_BREAKER_WINDOW_MS: int(100, 600_000).default(10_000),
  /** Open time before probe calls are let through, in ms. */
  DOWNSTREAM_BREAKER_COOLDOWN_MS: int(1, 600_000).default(5_000),
  /** Probes at once in half-open; this many successes close the circuit. */
  DOWNSTREAM_BREAKER_HALF_OPEN_PROBES: int(1, 1_000).default(3),
  /** Concurrent calls per service; beyond, calls queue. */
  DOWNSTREAM_BULKHEAD_CONCURRENCY: int(1, 10_000).default(25),
  /** Queued calls per service; beyond, calls fail at once with DOWNSTREAM_OVERLOADED. */
  DOWNSTREAM_BULKHEAD_QUEUE: int(0, 100_000).default(50),
  /** Services whose open circuit makes /health/ready answer 503 (comma list, or "none"). */
  DOWNSTREAM_CORE_SERVICES: z
    .string()
    .transform((list) => (list.trim() === 'none' ? [] : list.split(',').map((name) => name.trim())))
    .pipe(z.array(z.enum(SERVICE_NAMES)))
    .default(['users']),
  ...resilienceServiceVars,
}
// --- end resilience ---

// --- subscriptions (issue 5): event log retention, websocket limits, backpressure ---
const subscriptionVars = {
  /** Redis Streams key of the domain event log (used with REDIS_URL). */
  EVENT_LOG_STREAM_KEY: z.string().min(1).max(200).default('reactive-bff:events'),
  /** Events the Redis Streams log keeps (approximate, XADD MAXLEN ~); an older `after` gets EVENTS_EXPIRED. */
  EVENT_LOG_MAX_LEN: int(100, 100_000_000).default(100_000),
  /** Open websocket connections per instance; beyond, a new one is closed with 1013 (try again later). */
  SUBSCRIPTION_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
  /** Operations at once on one connection; beyond, the subscribe gets TOO_MANY_SUBSCRIPTIONS. */
  SUBSCRIPTION_MAX_PER_CONNECTION: int(1, 10_000).default(25),
  /** Events queued for one subscriber that does not read (buffer policy); beyond, close 4413. */
  SUBSCRIPTION_BUFFER_EVENTS: int(1, 1_000_000).default(1_000),
  /** connection_init must arrive within this many ms, else close 4408. */
  SUBSCRIPTION_INIT_TIMEOUT_MS: int(10, 60_000).default(3_000),
  /** Websocket ping period in ms; a peer that has not answered the previous ping is dropped. 0 disables. */
  SUBSCRIPTION_KEEP_ALIVE_MS: int(0, 600_000).default(12_000),
  /** Largest websocket message accepted, in bytes; beyond, close 1009. */
  SUBSCRIPTION_MAX_PAYLOAD_BYTES: int(1_024, 64 * 1_048_576).default(1_048_576),
  /** On shutdown, ms allowed for in-flight events and close handshakes before sockets are cut. */
  SUBSCRIPTION_DRAIN_TIMEOUT_MS: int(0, 60_000).default(5_000),
}
// --- end subscriptions ---

// --- cache (issue 4): entity cache in Redis or in-process, TTLs from the SDL's @cacheControl ---
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

const cacheVars = {
  /** false: nothing is cached, every read goes downstream (the benchmark's baseline). */
  CACHE_ENABLED: bool.default(true),
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
  /** Up to this % of maxAge is cut from each cache write's fresh period, at random: entries written together go stale apart. */
  CACHE_TTL_JITTER_PERCENT: int(0, 50).default(10),
  /** Stampede lease held by the instance fetching a missing entry, in ms. */
  CACHE_LEASE_TTL_MS: int(10, 60_000).default(1_000),
  /** How long other instances wait for the lease holder's write, in ms; 0 disables leases. */
  CACHE_LEASE_WAIT_MS: int(0, 10_000).default(200),
  /** Decoded PUBLIC entities held in the in-process L1 in front of Redis (none with the embedded store); 0 disables the L1. */
  CACHE_L1_MAX_ENTRIES: int(0, 10_000_000).default(10_000),
  /** Longest an entity stays in the L1, in ms (never past its freshness). */
  CACHE_L1_TTL_MS: int(1, 60_000).default(1_000),
}
// --- end cache ---

export const envSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65_535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Socket idle before the first byte of a request. */
  SERVER_CONNECTION_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Whole request (headers + body) must arrive within this. */
  SERVER_REQUEST_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Longer than typical load-balancer idle timeouts (60 s) so the LB closes first. */
  SERVER_KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(72_000),
  SERVER_BODY_LIMIT_BYTES: int(1_024, 64 * 1_048_576).default(1_048_576),
  /** On SIGTERM, ms to answer 503 on /health/ready while still serving, so load balancers stop sending before the listener closes. */
  SHUTDOWN_DELAY_MS: int(0, 600_000).default(0),

  GRAPHIQL_ENABLED: bool.default(true),
  /** Compile a query with graphql-jit after it has run this many times; 0 disables. */
  GRAPHQL_JIT_AFTER: int(0, 1_000_000).default(1),
  GRAPHQL_QUERY_DEPTH_LIMIT: int(1, 100).default(12),
  /** Send unexpected errors' messages to clients. Off in production. */
  EXPOSE_ERROR_DETAILS: bool.default(false),

  /** Per-call timeout for downstream services unless <SERVICE>_TIMEOUT_MS says otherwise. */
  DOWNSTREAM_TIMEOUT_MS: int(1, 60_000).default(800),
  DOWNSTREAM_CONNECTIONS: int(1, 1_024).default(64),
  DOWNSTREAM_CONNECT_TIMEOUT_MS: int(1, 60_000).default(1_000),
  DOWNSTREAM_HEADERS_TIMEOUT_MS: int(1, 300_000).default(5_000),
  DOWNSTREAM_BODY_TIMEOUT_MS: int(1, 300_000).default(5_000),
  /** Idle keep-alive sockets are closed after this. */
  DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(30_000),
  DOWNSTREAM_MAX_RESPONSE_BYTES: int(1_024, 256 * 1_048_576).default(8 * 1_048_576),

  /** Unset: the embedded in-process cache and event log stand in for Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // --- subscriptions ---
  ...subscriptionVars,

  ...serviceVars,
  // --- resilience ---
  ...resilienceVars,
  // --- cache ---
  ...cacheVars,
})

export type Env = z.input<typeof envSchema>
