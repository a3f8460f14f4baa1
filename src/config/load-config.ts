import type { z } from 'zod'
import { BffError } from '../errors.js'
import { authConfig, type AuthConfig } from './auth.js'
import { browserConfig, type BrowserConfig } from './browser.js'
import { cacheConfig, type CacheConfig } from './cache.js'
import { concurrencyConfig, type ConcurrencyConfig } from './concurrency.js'
import { downstreamConfig, type DownstreamConfig } from './downstream.js'
import { edgeConfig, type EdgeConfig } from './edge.js'
import { graphqlConfig, type GraphQLConfig } from './graphql.js'
import { redisConfig, type RedisConfig } from './redis.js'
import { persistedQueriesConfig, type PersistedQueriesConfig } from './persisted-queries.js'
import { resilienceConfig, type ResilienceConfig } from './resilience.js'
import { envSchema } from './schema.js'
import { serverConfig, type ServerConfig } from './server.js'
import { subscriptionsConfig, type SubscriptionsConfig } from './subscriptions.js'
import { telemetryConfig, type TelemetryConfig } from './telemetry.js'

export type { AuthConfig } from './auth.js'
export type { BrowserConfig } from './browser.js'
export type { CacheConfig } from './cache.js'
export type { ConcurrencyConfig } from './concurrency.js'
export type { DownstreamConfig, ServiceConfig } from './downstream.js'
export type { EdgeConfig, RateLimitConfig } from './edge.js'
export type { GraphQLConfig } from './graphql.js'
export type { PersistedOperationsMode, PersistedQueriesConfig } from './persisted-queries.js'
export type { RedisConfig } from './redis.js'
export type { ResilienceConfig, ServiceResilienceConfig } from './resilience.js'
export type { PressureConfig, ServerConfig } from './server.js'
export type { SubscriptionsConfig } from './subscriptions.js'
export type { TelemetryConfig } from './telemetry.js'

/** The validated, frozen configuration, one section per concern. Nothing else reads process.env. */
export interface Config {
  readonly server: ServerConfig
  readonly graphql: GraphQLConfig
  readonly downstream: DownstreamConfig
  readonly redis: RedisConfig
  readonly subscriptions: SubscriptionsConfig
  readonly resilience: ResilienceConfig
  readonly cache: CacheConfig
  readonly auth: AuthConfig
  readonly edge: EdgeConfig
  readonly persistedQueries: PersistedQueriesConfig
  readonly browser: BrowserConfig
  readonly telemetry: TelemetryConfig
  readonly concurrency: ConcurrencyConfig
}

type EnvSource = Readonly<Record<string, string | undefined>>

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
  const downstream = downstreamConfig(e)
  const redis = redisConfig(e)
  const cache = cacheConfig(e, redis.url !== null)
  if (e.CACHE_STORE === 'redis' && redis.url === null && cache.clusterNodes === null) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', 'Invalid configuration: CACHE_STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES')
  }
  // Kept answers follow only the invalidations this process makes or hears. With Redis, one lost broadcast would
  // leave another instance's answers in place until they expire: they live behind the L1, which bounds that by its life.
  // Asked for with the cache on and still off: that is only Redis without an L1 (cacheConfig).
  if (e.RESPONSE_CACHE_ENABLED === true && e.CACHE_ENABLED && cache.responses === null) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', 'Invalid configuration: RESPONSE_CACHE_ENABLED=true with Redis needs the L1 (CACHE_L1_MAX_ENTRIES > 0); or set RESPONSE_CACHE_ENABLED=false')
  }
  return deepFreeze<Config>({
    server: serverConfig(e),
    graphql: graphqlConfig(e),
    downstream,
    redis,
    subscriptions: subscriptionsConfig(e),
    resilience: resilienceConfig(e, downstream.services),
    cache,
    auth: authConfig(e),
    edge: edgeConfig(e),
    persistedQueries: persistedQueriesConfig(e),
    browser: browserConfig(e),
    telemetry: telemetryConfig(e),
    concurrency: concurrencyConfig(e, downstream.services),
  })
}
