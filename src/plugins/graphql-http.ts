import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readCacheHints } from '../cache/ttl-policy.js'
import type { Config } from '../config/load-config.js'
import { createGraphQLOverHttp } from '../http/graphql-over-http.js'
import { createOperationCachePolicies } from '../http/operation-cache-policy.js'
import { createCompressionHook } from '../http/response-compression.js'

export interface GraphQLHttpOptions {
  readonly path: string
  readonly config: Config
  /** The schema's SDL: its @cacheControl hints set GET answers' Cache-Control. */
  readonly sdl: string
}

/**
 * GET and POST /graphql; what they run is the GraphQL-over-HTTP transport
 * (http/). The websocket endpoint shares the GET route.
 */
async function graphqlHttp(app: FastifyInstance, options: GraphQLHttpOptions): Promise<void> {
  const { cache, graphql, browser } = options.config
  // Compressed here in one synchronous call, not by @fastify/compress's per-answer stream (http/response-compression.ts).
  const compression = browser.compression ? { compress: false as const, onSend: createCompressionHook(browser.compressionThresholdBytes) } : {}
  const { execute, errorHandler, refuseWaitingCaller } = createGraphQLOverHttp(app, {
    exposeErrorDetails: graphql.exposeErrorDetails,
    // Without introspection, validation messages lose their "Did you mean …" hints.
    suggestions: graphql.introspection,
    earlyRetryDelayMs: options.config.edge.rateLimit.earlyRetryDelayMs,
    // The same hints, overrides and default as the entity cache's TTLs.
    cachePolicy: createOperationCachePolicies(readCacheHints(options.sdl, cache.ttlOverridesS), cache.defaultMaxAgeS),
  })
  app.route({
    method: 'GET',
    url: options.path,
    errorHandler,
    onRequest: refuseWaitingCaller,
    ...compression,
    // The graphql-transport-ws endpoint shares the path (plugins/subscriptions.ts).
    ...(app.hasDecorator('subscriptions') ? { wsHandler: app.subscriptions.wsHandler } : {}),
    handler: (request, reply) => execute(request, reply, request.query),
  })
  app.route({
    method: 'POST',
    url: options.path,
    errorHandler,
    onRequest: refuseWaitingCaller,
    ...compression,
    handler: (request, reply) => execute(request, reply, request.body),
  })
}

export default fp(graphqlHttp, { name: 'graphql-http', dependencies: ['mercurius', 'graphql', 'edge', 'persisted-documents'] })
