import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config/load-config.js'
import browser from './plugins/browser.js'
import cache from './plugins/cache.js'
import cacheNotes from './plugins/cache-notes.js'
import downstreams, { type DispatcherFactory } from './plugins/downstreams.js'
import edge from './plugins/edge.js'
import eventLogPlugin from './plugins/event-log.js'
import type { EventLog } from './events/event-log.js'
import { loadSchemaSdl } from './graphql/load-schema.js'
import graphql from './plugins/graphql.js'
import graphqlHttp from './plugins/graphql-http.js'
import health from './plugins/health.js'
import identity from './plugins/identity.js'
import loadShedding from './plugins/load-shedding.js'
import persistedDocuments from './plugins/persisted-documents.js'
import redis from './plugins/redis.js'
import subscriptions from './plugins/subscriptions.js'
import telemetry from './plugins/telemetry.js'
import { createRequestSpans } from './telemetry/request-spans.js'
import { startTracing } from './telemetry/tracing-sdk.js'
import type { AuthorizeConnection } from './subscriptions/ws-handler.js'
import { clientErrorHandler } from './http/client-errors.js'
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

/** fastify honours a hop count at runtime but its types do not list it: as a function, the same rule. */
const trustProxyOption = (setting: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) =>
  typeof setting === 'number' ? (_address, hop) => hop < setting : setting

/** A tenth of the request timeout, within 100 ms–1 s: cut late by at most that much, checked cheaply. */
const connectionsCheckingIntervalMs = (requestTimeoutMs: number): number => Math.min(1_000, Math.max(100, Math.round(requestTimeoutMs / 10)))

/**
 * Builds the BFF: a fastify instance with every plugin registered, ready to
 * `listen` (server.ts) or to be driven by tests. Plugins go external → infra →
 * graphql → routes.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const tracing = await startTracing(config.telemetry.tracing)
  const spans = createRequestSpans(tracing)
  const app = Fastify({
    logger: options.logger ?? {
      level: config.server.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    },
    genReqId: requestIdFrom,
    // The server span starts with the request's logger, so every line of the request carries its ids.
    ...(tracing.enabled && {
      childLoggerFactory: (logger, bindings, loggerOptions, raw) => {
        const span = spans.start(raw)
        return logger.child(span === null ? bindings : { ...bindings, trace_id: span.traceId, span_id: span.spanId }, loggerOptions)
      },
    }),
    connectionTimeout: config.server.connectionTimeoutMs,
    requestTimeout: config.server.requestTimeoutMs,
    keepAliveTimeout: config.server.keepAliveTimeoutMs,
    bodyLimit: config.server.bodyLimitBytes,
    // request.ip, which keys anonymous callers' rate limits, reads X-Forwarded-For only from these proxies.
    trustProxy: trustProxyOption(config.edge.trustProxy),
    // Given to the server's constructor, not only set after it as fastify does: Node 20 enforces a
    // requestTimeout set later on headers but not on a body trickling in (a slowloris body lived on
    // forever). The check runs every connectionsCheckingInterval (30 s by default), so that is how
    // late a cut can come.
    http: {
      requestTimeout: config.server.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(config.server.requestTimeoutMs),
    },
    clientErrorHandler,
    // Closing keep-alive sockets on close() lets graceful shutdown finish promptly.
    forceCloseConnections: 'idle',
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  // First: CORS answers preflights before anything else runs, and compression's hook must reach every route.
  await app.register(browser, { settings: config.browser })
  await app.register(health)
  await app.register(telemetry, { settings: config.telemetry, tracing, spans })
  await app.register(identity, { auth: config.auth })
  await app.register(loadShedding, { pressure: config.server.pressure })
  const redisLog = config.redis.url === null ? undefined : { url: config.redis.url, ...config.subscriptions.eventLog }
  await app.register(eventLogPlugin, { eventLog: options.eventLog, redis: redisLog })
  await app.register(redis, { config })
  await app.register(edge, { settings: config.edge })
  // schema/*.graphql is the source of truth for execution and for cache TTLs: read it once.
  const sdl = loadSchemaSdl()
  await app.register(cache, { config, sdl })
  await app.register(persistedDocuments, { config })
  await app.register(downstreams, { config, dispatcherFactory: options.dispatcherFactory })
  await app.register(graphql, { config, sdl })
  await app.register(cacheNotes)
  // Before graphql-http: it registers @fastify/websocket, which must see the route that takes the wsHandler.
  await app.register(subscriptions, {
    settings: config.subscriptions,
    exposeErrorDetails: config.graphql.exposeErrorDetails,
    authorize: options.authorizeSubscription,
  })
  await app.register(graphqlHttp, { path: '/graphql', config, sdl })
  if (config.graphql.graphiql) {
    await app.register(import('./plugins/graphiql.js'), { endpoint: '/graphql', subscriptionEndpoint: '/graphql', devTokenUrl: config.auth.devTokenUrl })
  }
  const { dashboard } = config.telemetry
  if (dashboard.enabled) {
    await app.register(import('./plugins/dashboard.js'), {
      instanceName: dashboard.instanceName,
      identityRequired: !config.auth.disabled,
      devTokenUrl: config.auth.devTokenUrl,
    })
  }
  return app
}
