import fastifyWebsocket, { type WebsocketHandler } from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CloseCode, handleProtocols } from 'graphql-ws'
import type { SubscriptionsConfig } from '../config/load-config.js'
import { closeFor } from '../errors.js'
import { createConnectionRegistry } from '../subscriptions/connection-registry.js'
import { createEventHub } from '../subscriptions/event-hub.js'
import { createLiveEvents, overflowPolicies } from '../subscriptions/live-events.js'
import { createSubscriptionStats, type SubscriptionStatsSnapshot } from '../subscriptions/subscription-stats.js'
import { allowAllConnections, createWsHandler, type AuthorizeConnection } from '../subscriptions/ws-handler.js'
import { authorizeByToken } from '../subscriptions/connection-auth.js'
import { addedUpgradeListeners, isUpgrade, trackUpgradeSockets, type UpgradeSockets } from '../subscriptions/upgrade-sockets.js'

export interface SubscriptionsPluginOptions {
  readonly settings: SubscriptionsConfig
  readonly exposeErrorDetails: boolean
  /** Validates the `connection_init` payload; false closes with 4403. @default allow all */
  readonly authorize?: undefined | AuthorizeConnection
}

export interface Subscriptions {
  /** The websocket side of GET /graphql (graphql-http.ts puts it on its route). */
  readonly wsHandler: WebsocketHandler
  stats(): SubscriptionStatsSnapshot
}

declare module 'fastify' {
  interface FastifyInstance {
    subscriptions: Subscriptions
  }
}

/**
 * GraphQL subscriptions over websockets (graphql-transport-ws) fed by the
 * event log. Registers @fastify/websocket, so it must come before the routes
 * that carry `wsHandler`. On close: refuse new sockets, stop taking events
 * in, let events already being resolved finish, then close every socket with
 * 1012 so graphql-ws clients reconnect (to another instance) and resume.
 */
async function subscriptions(app: FastifyInstance, options: SubscriptionsPluginOptions): Promise<void> {
  const { settings } = options
  const log = app.log.child({ component: 'subscriptions' })
  const { metrics } = app.telemetry
  const stats = createSubscriptionStats({ onLag: metrics.enabled ? (lagMs) => metrics.eventLag(lagMs / 1_000) : undefined })
  const registry = createConnectionRegistry({ maxConnections: settings.maxConnections, keepAliveMs: settings.keepAliveMs, stats, log })
  // Subscribed now, before listen: see createEventHub on why the tail must start before any client.
  const hub = createEventHub(app.domainEvents)
  const policies = overflowPolicies(settings.bufferEvents)

  const listenersBefore = app.server.listeners('upgrade')
  let upgrades: UpgradeSockets | undefined
  await app.register(fastifyWebsocket, {
    options: { maxPayload: settings.maxPayloadBytes, handleProtocols },
    // The default handler terminates the socket, which would cut off the close code ws is sending (e.g. 1009).
    errorHandler(error, socket, request) {
      request.log.warn({ err: error }, 'websocket error')
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error')
    },
    async preClose() {
      upgrades?.stopRouting()
      registry.stopAccepting()
      hub.close()
      const drained = await stats.idle(settings.drainTimeoutMs)
      if (!drained) log.warn({ inFlight: stats.snapshot().inFlight }, 'closing websockets with events still in flight')
      const restart = closeFor('SERVER_RESTARTING')
      await registry.closeAll(restart.code, restart.reason, settings.drainTimeoutMs)
      upgrades?.destroyAll()
    },
  })
  upgrades = trackUpgradeSockets(app.server, addedUpgradeListeners(app.server, listenersBefore))
  // A hook that refuses an upgrade (load shedding's 503) runs before the plugin's, which would have ended the socket.
  app.addHook('onResponse', (request, _reply, done) => {
    if (isUpgrade(request.raw)) request.raw.socket.destroy()
    done()
  })

  const wsHandler = createWsHandler({
    schema: () => app.graphql.schema,
    registry,
    authorize: options.authorize ?? (app.hasDecorator('identity') ? authorizeByToken(app.identity) : allowAllConnections),
    initTimeoutMs: settings.initTimeoutMs,
    maxPerConnection: settings.maxPerConnection,
    exposeErrorDetails: options.exposeErrorDetails,
    // The HTTP path's gate (plugins/graphql.ts), so a websocket is no way around its limits.
    admission: app.documentAdmission.websocket,
    gate: app.edge,
    persisted: app.persistedDocuments,
    onOperation: metrics.enabled ? (type, name, outcome, seconds) => metrics.operation(type, name, outcome, seconds) : undefined,
    createContext: (connection, operationId) =>
      app.operationContexts.websocket({
        log: connection.request.log,
        connectionId: connection.request.id,
        operationId,
        viewer: connection.viewer,
        createLive: (onEvent) =>
          createLiveEvents({
            log: app.eventLog,
            hub,
            policies,
            stats,
            onEvent,
            onSlowConsumer(field, error) {
              stats.slowConsumerCloses += 1
              stats.eventsDropped += error.queued
              connection.request.log.warn({ field, queued: error.queued }, 'closing a websocket whose subscriber stopped reading')
              const close = closeFor('SLOW_CONSUMER', `Slow consumer: over ${error.capacity} events queued for ${field}; resume with after`)
              connection.socket.close(close.code, close.reason)
            },
          }),
      }),
  })

  app.decorate('subscriptions', { wsHandler, stats: () => stats.snapshot() })
  app.readiness.register('subscriptions', () => ({ ready: true, ...stats.snapshot() }))
  app.addHook('onClose', async () => {
    hub.close()
  })
}

export default fp(subscriptions, { name: 'subscriptions', dependencies: ['health', 'event-log', 'downstreams', 'graphql', 'edge', 'persisted-documents', 'telemetry'] })
