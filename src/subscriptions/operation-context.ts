import type { FastifyBaseLogger } from 'fastify'
import type { GraphQLError } from 'graphql'
import type { EntityCache } from '../cache/entity-cache.js'
import { createCallBudget } from '../downstream/call-budget.js'
import type { DownstreamClients } from '../downstream/clients.js'
import { createDataSources, type DataSources } from '../downstream/data-sources.js'
import type { LiveEvents } from './live-events.js'

/** The GraphQL context of one operation over the websocket. */
export interface OperationContext {
  /**
   * The downstream layer: for a subscription, the one of the event being
   * resolved (fresh per event, shared with the other subscribers of that
   * event); for a query or mutation over the socket, the operation's own.
   */
  readonly data: DataSources
  /** `<upgrade request id>:<operation id>[:<event id>]`, for logs. */
  readonly requestId: string
  /** Field errors that ride beside partial data (see graphql/partial-errors.ts); reset per event. */
  errors: GraphQLError[] | null
  readonly live: LiveEvents
  /** Cancels downstream calls still in flight (operation over, or connection gone). */
  dispose(): void
}

export interface OperationContextOptions {
  readonly clients: DownstreamClients
  /** The entity cache queries use. @default none */
  readonly cache?: undefined | EntityCache | null
  /** Downstream calls a query or mutation over the socket may make. */
  readonly maxDownstreamCalls: number
  /** Data sources of an event, shared by all its subscribers. */
  readonly dataForEvent: (eventId: string) => DataSources
  readonly log: FastifyBaseLogger
  /** Id of the connection's upgrade request. */
  readonly connectionId: string
  /** The graphql-ws operation id chosen by the client. */
  readonly operationId: string
  /** Builds the operation's event streams; `onEvent` must run before each event is resolved. */
  readonly createLive: (onEvent: (eventId: string) => void) => LiveEvents
}

export function createOperationContext(options: OperationContextOptions): OperationContext {
  const controller = new AbortController()
  const base = `${options.connectionId}:${options.operationId}`
  let requestId = base
  let own: DataSources | null = null
  let currentEvent: string | null = null

  const context: OperationContext = {
    get data() {
      if (currentEvent !== null) return options.dataForEvent(currentEvent)
      // Created on first use: a subscription that only waits holds no loaders.
      own ??= createDataSources(
        options.clients,
        { requestId, signal: controller.signal, log: options.log, budget: createCallBudget(options.maxDownstreamCalls) },
        options.cache,
      )
      return own
    },
    get requestId() {
      return requestId
    },
    errors: null,
    live: options.createLive((eventId) => {
      requestId = `${base}:${eventId}`
      currentEvent = eventId
      context.errors = null
    }),
    dispose: () => controller.abort(),
  }
  return context
}
