import { z } from 'zod'
import { BffError } from '../errors.js'
import { envSchema } from './schema.js'
import { SERVICE_NAMES, type ServiceName } from './services.js'

export interface ServiceConfig {
  /** Base URL, e.g. http://127.0.0.1:4001 */
  readonly url: string
  /** Per-call time limit. */
  readonly timeoutMs: number
  /** Keep-alive connections in this service's pool. */
  readonly connections: number
}

/** The validated, frozen configuration. Nothing else reads process.env. */
export interface Config {
  readonly server: {
    readonly host: string
    readonly port: number
    readonly logLevel: string
    readonly connectionTimeoutMs: number
    readonly requestTimeoutMs: number
    readonly keepAliveTimeoutMs: number
    readonly bodyLimitBytes: number
    /** On SIGTERM: time not ready but still serving, before the listener closes (ms). */
    readonly shutdownDelayMs: number
  }
  readonly graphql: {
    readonly graphiql: boolean
    /** 0 disables graphql-jit. */
    readonly jitAfter: number
    readonly queryDepthLimit: number
    readonly exposeErrorDetails: boolean
  }
  readonly downstream: {
    readonly services: Readonly<Record<ServiceName, ServiceConfig>>
    readonly connectTimeoutMs: number
    readonly headersTimeoutMs: number
    readonly bodyTimeoutMs: number
    readonly keepAliveTimeoutMs: number
    readonly maxResponseBytes: number
  }
  readonly redis: {
    /** null: use the embedded in-process implementations. */
    readonly url: string | null
  }
  // --- subscriptions ---
  readonly subscriptions: SubscriptionsConfig
  // --- resilience ---
  readonly resilience: ResilienceConfig
  // --- cache ---
  readonly cache: CacheConfig
}

type EnvSource = Readonly<Record<string, string | undefined>>

// --- subscriptions (issue 5) ---
/** Websocket subscriptions and the event log they read. */
export interface SubscriptionsConfig {
  /** The Redis Streams log (only with REDIS_URL). */
  readonly eventLog: {
    readonly streamKey: string
    /** Approximate retention, in events. */
    readonly maxLen: number
  }
  /** Open websocket connections per instance. */
  readonly maxConnections: number
  /** Operations at once on one connection. */
  readonly maxPerConnection: number
  /** Events queued for one subscriber before it is closed as too slow (buffer policy). */
  readonly bufferEvents: number
  readonly initTimeoutMs: number
  /** 0 disables pings. */
  readonly keepAliveMs: number
  readonly maxPayloadBytes: number
  readonly drainTimeoutMs: number
}

function subscriptionsConfig(e: z.output<typeof envSchema>): SubscriptionsConfig {
  return {
    eventLog: { streamKey: e.EVENT_LOG_STREAM_KEY, maxLen: e.EVENT_LOG_MAX_LEN },
    maxConnections: e.SUBSCRIPTION_MAX_CONNECTIONS,
    maxPerConnection: e.SUBSCRIPTION_MAX_PER_CONNECTION,
    bufferEvents: e.SUBSCRIPTION_BUFFER_EVENTS,
    initTimeoutMs: e.SUBSCRIPTION_INIT_TIMEOUT_MS,
    keepAliveMs: e.SUBSCRIPTION_KEEP_ALIVE_MS,
    maxPayloadBytes: e.SUBSCRIPTION_MAX_PAYLOAD_BYTES,
    drainTimeoutMs: e.SUBSCRIPTION_DRAIN_TIMEOUT_MS,
  }
}
// --- end subscriptions ---

// --- resilience (issue 3) ---
/** Per-service resilience settings, after defaults and overrides. */
export interface ServiceResilienceConfig {
  /** Limit of one attempt, in ms; at most the service's timeoutMs. */
  readonly attemptTimeoutMs: number
  /** Retries of an idempotent (GET) call. */
  readonly maxRetries: number
  readonly bulkheadConcurrency: number
  readonly bulkheadQueue: number
}

export interface ResilienceConfig {
  /** Whole GraphQL request, in ms. */
  readonly requestDeadlineMs: number
  /** Services whose open circuit makes the BFF not ready (503). */
  readonly coreServices: readonly ServiceName[]
  readonly retry: {
    readonly baseMs: number
    readonly capMs: number
    readonly budgetRatio: number
    readonly minConcurrency: number
  }
  readonly breaker: {
    readonly failureRatio: number
    readonly minCalls: number
    readonly windowMs: number
    readonly cooldownMs: number
    readonly halfOpenProbes: number
  }
  readonly services: Readonly<Record<ServiceName, ServiceResilienceConfig>>
}

/** Call timeouts that differ from DOWNSTREAM_TIMEOUT_MS unless <SERVICE>_TIMEOUT_MS is set: optional data gets less time. */
export const DEFAULT_SERVICE_TIMEOUTS_MS: Readonly<Partial<Record<ServiceName, number>>> = { recommendations: 250 }

function resilienceConfig(
  e: z.output<typeof envSchema>,
  services: Readonly<Record<ServiceName, ServiceConfig>>,
): ResilienceConfig {
  if (e.DOWNSTREAM_RETRY_CAP_MS < e.DOWNSTREAM_RETRY_BASE_MS) {
    throw new BffError(
      'BFF_ERR_CONFIG_INVALID',
      `Invalid configuration: DOWNSTREAM_RETRY_CAP_MS (${e.DOWNSTREAM_RETRY_CAP_MS}) must be >= DOWNSTREAM_RETRY_BASE_MS (${e.DOWNSTREAM_RETRY_BASE_MS})`,
    )
  }
  const perService = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const prefix = name.toUpperCase() as Uppercase<ServiceName>
      const attempt = e[`${prefix}_ATTEMPT_TIMEOUT_MS`] ?? e.DOWNSTREAM_ATTEMPT_TIMEOUT_MS ?? services[name].timeoutMs
      const settings: ServiceResilienceConfig = {
        attemptTimeoutMs: Math.min(attempt, services[name].timeoutMs),
        maxRetries: e[`${prefix}_RETRY_MAX`] ?? e.DOWNSTREAM_RETRY_MAX,
        bulkheadConcurrency: e[`${prefix}_BULKHEAD_CONCURRENCY`] ?? e.DOWNSTREAM_BULKHEAD_CONCURRENCY,
        bulkheadQueue: e[`${prefix}_BULKHEAD_QUEUE`] ?? e.DOWNSTREAM_BULKHEAD_QUEUE,
      }
      return [name, settings]
    }),
  ) as Record<ServiceName, ServiceResilienceConfig>
  return {
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    coreServices: [...new Set(e.DOWNSTREAM_CORE_SERVICES)],
    retry: {
      baseMs: e.DOWNSTREAM_RETRY_BASE_MS,
      capMs: e.DOWNSTREAM_RETRY_CAP_MS,
      budgetRatio: e.DOWNSTREAM_RETRY_BUDGET_RATIO,
      minConcurrency: e.DOWNSTREAM_RETRY_MIN_CONCURRENCY,
    },
    breaker: {
      failureRatio: e.DOWNSTREAM_BREAKER_FAILURE_RATIO,
      minCalls: e.DOWNSTREAM_BREAKER_MIN_CALLS,
      windowMs: e.DOWNSTREAM_BREAKER_WINDOW_MS,
      cooldownMs: e.DOWNSTREAM_BREAKER_COOLDOWN_MS,
      halfOpenProbes: e.DOWNSTREAM_BREAKER_HALF_OPEN_PROBES,
    },
    services: perService,
  }
}
// --- end resilience ---

// --- cache (issue 4) ---
/** The entity cache (src/cache): store, keys, TTL policy, stampede and outage handling. */
export interface CacheConfig {
  /** false: nothing is cached. */
  readonly enabled: boolean
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
  readonly leaseTtlMs: number
  /** 0 disables cross-instance leases. */
  readonly leaseWaitMs: number
  /** Entries of the in-process L1 of decoded PUBLIC entities; 0: no L1. */
  readonly l1MaxEntries: number
  /** Longest life of an L1 entry (ms); never past the entry's freshness. */
  readonly l1TtlMs: number
}

function cacheConfig(e: z.output<typeof envSchema>): CacheConfig {
  const nodes = e.REDIS_CLUSTER_NODES
  return {
    enabled: e.CACHE_ENABLED,
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
    leaseTtlMs: e.CACHE_LEASE_TTL_MS,
    leaseWaitMs: e.CACHE_LEASE_WAIT_MS,
    l1MaxEntries: e.CACHE_L1_MAX_ENTRIES,
    l1TtlMs: e.CACHE_L1_TTL_MS,
  }
}
// --- end cache ---


function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.join('.')
      return `${name}: ${issue.message}`
    })
    .join('; ')
}

/**
 * Validates the environment once at boot. Throws BFF_ERR_CONFIG_INVALID naming
 * each bad variable and what it expected.
 */
export function loadConfig(env: EnvSource = process.env): Config {
  // Empty strings mean "unset" for every variable: `FOO= npm start` should not fail.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `Invalid configuration: ${describeIssues(parsed.error)}`)
  }
  const e = parsed.data as Record<string, unknown> & z.output<typeof envSchema>
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const prefix = name.toUpperCase()
      const service: ServiceConfig = {
        url: String(e[`${prefix}_URL`]).replace(/\/+$/, ''),
        timeoutMs: (e[`${prefix}_TIMEOUT_MS`] as number | undefined) ?? DEFAULT_SERVICE_TIMEOUTS_MS[name] ?? e.DOWNSTREAM_TIMEOUT_MS,
        connections: (e[`${prefix}_CONNECTIONS`] as number | undefined) ?? e.DOWNSTREAM_CONNECTIONS,
      }
      return [name, service]
    }),
  ) as Record<ServiceName, ServiceConfig>

  return deepFreeze<Config>({
    server: {
      host: e.HOST,
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      connectionTimeoutMs: e.SERVER_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.SERVER_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.SERVER_KEEP_ALIVE_TIMEOUT_MS,
      bodyLimitBytes: e.SERVER_BODY_LIMIT_BYTES,
      shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    },
    graphql: {
      graphiql: e.GRAPHIQL_ENABLED,
      jitAfter: e.GRAPHQL_JIT_AFTER,
      queryDepthLimit: e.GRAPHQL_QUERY_DEPTH_LIMIT,
      exposeErrorDetails: e.EXPOSE_ERROR_DETAILS,
    },
    downstream: {
      services,
      connectTimeoutMs: e.DOWNSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.DOWNSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.DOWNSTREAM_BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: e.DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS,
      maxResponseBytes: e.DOWNSTREAM_MAX_RESPONSE_BYTES,
    },
    redis: { url: e.REDIS_URL ?? null },
    // --- subscriptions ---
    subscriptions: subscriptionsConfig(e),
    // --- resilience ---
    resilience: resilienceConfig(e, services),
    // --- cache ---
    cache: cacheConfig(e),
  })
}
