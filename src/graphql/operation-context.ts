import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import type { GraphQLError } from 'graphql'
import { createDataSources, type DataSources } from '../data/data-sources.js'
import type { DataCache } from '../data/resources.js'
import { RequestCallContext } from '../downstream/call-context.js'
import type { ReadTrail } from '../cache/read-trail.js'
import { createCallBudget, type CallBudget } from '../downstream/call-budget.js'
import type { DownstreamClients } from '../downstream/clients.js'
import { createDeadline } from '../downstream/resilience/deadline.js'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'
import { LazyAbortController, type SignalSource } from '../lib/lazy-abort.js'
import type { TraceSpan } from '../telemetry/trace-span.js'
import type { Tracing } from '../telemetry/tracing.js'
import { createEventData } from './event-data.js'
import type { LiveEvents } from './live-events.js'

declare module 'mercurius' {
  interface MercuriusContext {
    /** The data layer for this operation: batching, de-duplication, cache, cancellation, deadline. */
    readonly data: DataSources
    /** Also forwarded to downstream services as `x-request-id`. */
    readonly requestId: string
    /** Who is asking: the HTTP request's, or the websocket connection's (from `connection_init`). */
    readonly viewer: Viewer
    /**
     * Errors to add to the response beside the data; mercurius resets it to
     * null for each operation and merges it into `errors[]`.
     */
    errors: GraphQLError[] | null
  }
}

/** The context of a GraphQL request over HTTP. */
export interface RequestContext {
  readonly reply: FastifyReply
  readonly data: DataSources
  readonly requestId: string
  readonly viewer: Viewer
  /**
   * After execution: the trail given to `http()` if the answer may be kept,
   * that is every read was a fresh cache hit and the operation sent nothing
   * downstream itself (a call outside the cache, like a search, leaves no
   * trail); null otherwise.
   */
  keepableTrail(): ReadTrail | null
}

/** The GraphQL context of one operation over the websocket. */
export interface OperationContext {
  /**
   * The data layer: for a subscription, the one of the event being resolved
   * (shared with the other subscribers of that event); for a query or
   * mutation over the socket, the operation's own.
   */
  readonly data: DataSources
  /** `<upgrade request id>:<operation id>[:<event id>]`, for logs. */
  readonly requestId: string
  /** The connection's viewer, from its `connection_init` token. */
  readonly viewer: Viewer
  /** Field errors that ride beside partial data (see graphql/partial-errors.ts); reset per event. */
  errors: GraphQLError[] | null
  readonly live: LiveEvents
  /** Cancels downstream calls still in flight (operation over, or connection gone). */
  dispose(): void
}

export interface WebsocketOperation {
  /** The connection's logger. */
  readonly log: FastifyBaseLogger
  /** Id of the connection's upgrade request. */
  readonly connectionId: string
  /** The graphql-ws operation id chosen by the client. */
  readonly operationId: string
  /** Who opened the connection. @default anonymous */
  readonly viewer?: undefined | Viewer
  /** Builds the operation's event streams; `onEvent` must run before each event is resolved. */
  readonly createLive: (onEvent: (eventId: string, traceparent: string | undefined) => void) => LiveEvents
}

export interface OperationContextsOptions {
  readonly clients: DownstreamClients
  /** The app's entity cache. @default none */
  readonly cache?: undefined | DataCache | null
  /** What an operation, or one event's resolution, has for all its downstream calls, in ms (REQUEST_DEADLINE_MS). */
  readonly deadlineMs: number
  /** Downstream calls an operation, or one event's resolution, may make (REQUEST_MAX_DOWNSTREAM_CALLS). */
  readonly maxDownstreamCalls: number
  /** Where the shared per-event work logs. */
  readonly log: FastifyBaseLogger
  /** Each event's resolution is a trace of its own. @default no tracing */
  readonly tracing?: undefined | Tracing
  /** Events whose data layer is kept for late subscribers at once (bounds the memory held). @default 256 */
  readonly maxEvents?: undefined | number
  /** Longest an event's data layer serves late subscribers, in ms; never past its deadline. @default 5_000 */
  readonly eventTtlMs?: undefined | number
}

/** The one place every GraphQL operation's context is built, over HTTP and over the websocket. */
export interface OperationContexts {
  /**
   * An HTTP request: its calls abort when the client goes away and end at the
   * deadline, which starts now. `trail` notes what it reads (response-cache.ts).
   */
  http(reply: FastifyReply, trace?: undefined | TraceSpan, trail?: undefined | ReadTrail | null): RequestContext
  /** A websocket operation: its own calls (queries, mutations) get a deadline from now; each event's resolution gets its own. */
  websocket(operation: WebsocketOperation): OperationContext
  /** Aborts the shared per-event work (shutdown). */
  close(): void
}

export function createOperationContexts(options: OperationContextsOptions): OperationContexts {
  const { clients, deadlineMs, maxDownstreamCalls } = options
  const cache = options.cache ?? null
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) {
    throw new TypeError(`createOperationContexts: deadlineMs must be a positive number, got ${String(deadlineMs)}`)
  }

  /**
   * The data layer of one operation: every downstream call of it shares `abort`, one deadline that
   * starts now and one call budget.
   */
  const dataFor = (
    requestId: string,
    log: FastifyBaseLogger,
    abort: SignalSource,
    viewer: Viewer,
    deadline = createDeadline(deadlineMs),
    trace?: undefined | TraceSpan,
    budget: CallBudget = createCallBudget(maxDownstreamCalls),
    trail: ReadTrail | null = null,
  ): DataSources => createDataSources(clients, new RequestCallContext(requestId, log, abort, deadline, budget, viewer.token, trace), cache, trail)

  // An event's span covers its shared layer's life: the client spans under it time each call.
  const tracing = options.tracing?.enabled === true ? options.tracing : null
  const eventSpans = new Map<string, TraceSpan>()
  // The trace context an event carried, from the moment a subscriber takes it until its span starts.
  const eventOrigins = new Map<string, string>()
  const eventSpan = (eventId: string): TraceSpan | undefined => {
    if (tracing === null) return undefined
    const origin = eventOrigins.get(eventId)
    eventOrigins.delete(eventId)
    const span = tracing.root('subscription event', origin, { 'bff.event.id': eventId })
    eventSpans.set(eventId, span)
    return span
  }
  // Late subscribers share an event's layer only while its deadline lasts.
  const events = createEventData({
    dataFor: (eventId, abort, viewer) => dataFor(`event:${eventId}`, options.log, abort, viewer, undefined, eventSpan(eventId)),
    onDrop:
      tracing === null
        ? undefined
        : (eventId) => {
            eventSpans.get(eventId)?.end()
            eventSpans.delete(eventId)
          },
    maxEvents: options.maxEvents,
    ttlMs: Math.min(options.eventTtlMs ?? 5_000, deadlineMs),
  })
  const dataForEvent = (eventId: string, viewer: Viewer): DataSources => events.forEvent(eventId, viewer)

  return {
    http(reply, trace, trail = null) {
      const abort = new LazyAbortController()
      // 'close' before the response was ended means the client went away mid-request.
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded) abort.abort()
      })
      const { id: requestId, viewer } = reply.request
      // The entity cache is app-wide (plugins/cache.ts); each request gets its own view of it.
      const budget = createCallBudget(maxDownstreamCalls)
      const data = dataFor(requestId, reply.request.log, abort, viewer, undefined, trace, budget, trail)
      const keepableTrail = (): ReadTrail | null => (trail === null || trail.spoiled || budget.asked > 0 ? null : trail)
      return { reply, data, requestId, viewer, keepableTrail }
    },

    websocket(operation) {
      const abort = new AbortController()
      const viewer = operation.viewer ?? ANONYMOUS
      const base = `${operation.connectionId}:${operation.operationId}`
      let requestId = base
      // Made now, so the operation's deadline starts with it; its data layer only on first use
      // (a subscription that only waits holds no loaders).
      const deadline = createDeadline(deadlineMs)
      let own: DataSources | null = null
      let currentEvent: string | null = null
      const context: OperationContext = {
        get data() {
          if (currentEvent !== null) return dataForEvent(currentEvent, viewer)
          own ??= dataFor(requestId, operation.log, abort, viewer, deadline)
          return own
        },
        get requestId() {
          return requestId
        },
        viewer,
        errors: null,
        live: operation.createLive((eventId, traceparent) => {
          if (tracing !== null && traceparent !== undefined && !eventSpans.has(eventId)) eventOrigins.set(eventId, traceparent)
          requestId = `${base}:${eventId}`
          currentEvent = eventId
          context.errors = null
        }),
        dispose: () => abort.abort(),
      }
      return context
    },

    close() {
      events.close()
    },
  }
}
