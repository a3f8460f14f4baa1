import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config/load-config.js'
import cache from './plugins/cache.js'
import cacheNotes from './plugins/cache-notes.js'
import downstreams, { type DispatcherFactory } from './plugins/downstreams.js'
import eventLogPlugin from './plugins/event-log.js'
import type { EventLog } from './events/event-log.js'
import { loadSchemaSdl } from './graphql/load-schema.js'
import graphql from './plugins/graphql.js'
import graphqlHttp from './plugins/graphql-http.js'
import health from './plugins/health.js'
import redis from './plugins/redis.js'
import subscriptions from './plugins/subscriptions.js'
import type { AuthorizeConnection } from './subscriptions/ws-handler.js'
import { requestIdFrom } from './http/request-id.js'

export interface AppOptions {
  /** pino options or a ready logger; false silences logs. @default config.server.logLevel to stdout */
  readonly logger?: undefined | boolean | Record<string, unknown>
  /** The event log to read; shared with the mocks in the embedded default. @default a new in-process log */
  readonly eventLog?: undefined | EventLog
  /** Validates a websocket's `connection_init` payload (auth token); false closes with 4403. @default allow all */
  readonly authorizeSubscription?: undefined | AuthorizeConnection
  /** Replaces the network under the downstream layer (benchmarks). @default undici Pools */
  readonly dispatcherFactory?: undefined | DispatcherFactory
}

/**
 * Builds the BFF: a fastify instance with every plugin registered, ready to
 * `listen` (server.ts) or to be driven by tests. Plugins go external → infra →
 * graphql → routes.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.server.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    },
    genReqId: requestIdFrom,
    connectionTimeout: config.server.connectionTimeoutMs,
    requestTimeout: config.server.requestTimeoutMs,
    keepAliveTimeout: config.server.keepAliveTimeoutMs,
    bodyLimit: config.server.bodyLimitBytes,
    // Closing keep-alive sockets on close() lets graceful shutdown finish promptly.
    forceCloseConnections: 'idle',
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(health)
  const redisLog = config.redis.url === null ? undefined : { url: config.redis.url, ...config.subscriptions.eventLog }
  await app.register(eventLogPlugin, { eventLog: options.eventLog, redis: redisLog })
  await app.register(redis, { config })
  // schema/*.graphql is the source of truth for execution and for cache TTLs: read it once.
  const sdl = loadSchemaSdl()
  await app.register(cache, { config, sdl })
  await app.register(downstreams, { config, dispatcherFactory: options.dispatcherFactory })
  await app.register(graphql, { config, sdl })
  await app.register(cacheNotes)
  // Before graphql-http: it registers @fastify/websocket, which must see the route that takes the wsHandler.
  await app.register(subscriptions, {
    settings: config.subscriptions,
    exposeErrorDetails: config.graphql.exposeErrorDetails,
    queryDepthLimit: config.graphql.queryDepthLimit,
    authorize: options.authorizeSubscription,
  })
  await app.register(graphqlHttp, { path: '/graphql', exposeErrorDetails: config.graphql.exposeErrorDetails })
  if (config.graphql.graphiql) await app.register(import('./plugins/graphiql.js'), { endpoint: '/graphql', subscriptionEndpoint: '/graphql' })
  return app
}
