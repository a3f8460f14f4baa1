import type { WebsocketHandler } from '@fastify/websocket'
import type { FastifyRequest } from 'fastify'
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql'
import { CloseCode, makeServer, type SubscribePayload } from 'graphql-ws'
import type { WebSocket } from 'ws'
import { callerKey, type OperationGate } from '../edge/operation-gate.js'
import { formatGraphQLErrors } from '../graphql/error-formatter.js'
import type { ConnectionRegistry } from './connection-registry.js'
import type { DocumentAdmission } from '../graphql/document-admission.js'
import type { OperationContext } from '../graphql/operation-context.js'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'
import type { PersistedDocuments } from '../edge/persisted-documents.js'
import { ClientError } from '../errors.js'
import type { OperationOutcome } from '../telemetry/outcomes.js'

/** What the auth hook sees of a connection. */
export interface ConnectionInit {
  /** The `connection_init` payload, where clients put their token; undefined when absent or not an object. */
  readonly payload: Readonly<Record<string, unknown>> | undefined
  /** The HTTP upgrade request (headers, ip). */
  readonly request: FastifyRequest
}

/**
 * What the auth hook decides: true/false (an anonymous connection, or 4403
 * Forbidden); a viewer the connection acts as, until `expiresAtMs` (then it
 * is closed with 4403, which graphql-ws clients retry with fresh
 * `connectionParams`); or a refusal whose reason the 4403 close carries.
 */
export type ConnectionVerdict =
  | boolean
  | { readonly viewer: Viewer; readonly expiresAtMs: number | null }
  | { readonly refused: string }

/**
 * Decides whether a connection may go past `connection_init`: false (or a
 * throw, which is logged) closes it with 4403 Forbidden. @default allow every connection, anonymous
 */
export type AuthorizeConnection = (init: ConnectionInit) => ConnectionVerdict | Promise<ConnectionVerdict>

export const allowAllConnections: AuthorizeConnection = () => true

/** What one connection carries through graphql-ws callbacks. */
export interface ConnectionExtra {
  readonly socket: WebSocket
  readonly request: FastifyRequest
  /** Contexts of the operations running on this connection, by operation id. */
  readonly operations: Map<string, OperationContext>
  /** Queries and mutations running on this connection, by operation id: what their metric needs. */
  readonly timings: Map<string, { readonly type: string; readonly name: string | null; readonly startedAt: number }>
  /** Who the connection acts as, set once `connection_init` is accepted. */
  viewer: Viewer
  /** Closes the connection when its token expires. */
  expiry: ReturnType<typeof setTimeout> | null
}

/** setTimeout's ceiling (about 24.8 days); a token living longer is re-checked then. */
const MAX_TIMER_MS = 2_147_483_647
/** graphql-ws' Forbidden: the client closes and, with `retryAttempts`, reconnects with fresh connectionParams. */
const TOKEN_EXPIRED_REASON = 'Token expired; reconnect with a fresh token'

function accept(extra: ConnectionExtra, verdict: { readonly viewer: Viewer; readonly expiresAtMs: number | null }): void {
  extra.viewer = verdict.viewer
  if (verdict.expiresAtMs === null) return
  const closeExpired = (): void => {
    const left = (verdict.expiresAtMs ?? 0) - Date.now()
    if (left > 0) {
      extra.expiry = setTimeout(closeExpired, Math.min(left, MAX_TIMER_MS))
      return
    }
    extra.expiry = null
    extra.socket.close(CloseCode.Forbidden, TOKEN_EXPIRED_REASON)
  }
  closeExpired()
}

export interface WsHandlerOptions {
  /** The executable schema (mercurius'), read per operation so a replaced schema is picked up. */
  readonly schema: () => GraphQLSchema
  readonly registry: ConnectionRegistry
  readonly authorize: AuthorizeConnection
  /** Time allowed for `connection_init`, in ms; past it, close 4408. @default 3_000 */
  readonly initTimeoutMs: number
  /** Operations at once on one connection; one more gets TOO_MANY_SUBSCRIPTIONS. */
  readonly maxPerConnection: number
  readonly exposeErrorDetails: boolean
  /** The gate documents pass over HTTP too (parse, shape, validation, operation, variables), so both answer alike. */
  readonly admission: DocumentAdmission
  /** Prices and charges each operation as over HTTP; a refusal is an `error` for that id, the connection stays open. @default none */
  readonly gate?: undefined | OperationGate
  /**
   * APQ hashes and the trusted list, as over HTTP: a hash in
   * `extensions.persistedQuery` resolves, and with PERSISTED_OPERATIONS_MODE=require
   * an unlisted document is refused here too. @default none (documents as sent)
   */
  readonly persisted?: undefined | PersistedDocuments
  readonly createContext: (connection: ConnectionExtra, operationId: string) => OperationContext
  /** Reports each query or mutation's duration (seconds) and outcome, as the HTTP transport does. @default none */
  readonly onOperation?: undefined | ((type: string, name: string | null, outcome: OperationOutcome, seconds: number) => void)
}

function formatted(errors: readonly GraphQLError[], request: FastifyRequest, exposeErrorDetails: boolean): GraphQLFormattedError[] {
  // formatGraphQLErrors builds GraphQLFormattedError-shaped entries (message, locations, path, extensions).
  return formatGraphQLErrors(errors, request.log, { exposeErrorDetails }) as unknown as GraphQLFormattedError[]
}

/** RFC 6455 caps a close frame's reason at 123 bytes; ws throws on a longer one. */
const MAX_CLOSE_REASON_BYTES = 123

/**
 * A close reason that fits the frame. graphql-ws puts the client's operation id in
 * some reasons ("Subscriber for <id> already exists"), so a long id would make ws
 * throw and the connection end with 4500 instead of the protocol's own code.
 */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason
  let fitted = reason.slice(0, MAX_CLOSE_REASON_BYTES - 1)
  while (Buffer.byteLength(`${fitted}…`) > MAX_CLOSE_REASON_BYTES) fitted = fitted.slice(0, -1)
  // A cut through a surrogate pair would leave half a character.
  if (/[\uD800-\uDBFF]$/.test(fitted)) fitted = fitted.slice(0, -1)
  return `${fitted}…`
}

/** Messages only a server sends: graphql-ws accepts their shape, then throws on them, which would close with 4500. */
const SERVER_MESSAGE_TYPES: ReadonlySet<string> = new Set(['connection_ack', 'next', 'error'])

/** A client sending a server's message breaks the protocol: 4400, like any other invalid message. */
function isServerMessage(text: string): boolean {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    // Not JSON: graphql-ws answers that with 4400 itself.
    return false
  }
  return typeof message === 'object' && message !== null && SERVER_MESSAGE_TYPES.has(String((message as { type?: unknown }).type))
}

/**
 * The `graphql-transport-ws` endpoint: graphql-ws' protocol server (which
 * enforces the protocol's close codes: 4400, 4401, 4403, 4408, 4409, 4429)
 * bound to @fastify/websocket, like `graphql-ws/use/@fastify/websocket` but
 * logging through pino, with the connection cap, the shared keep-alive sweep,
 * a per-connection operation cap, and errors formatted as over HTTP.
 */
export function createWsHandler(options: WsHandlerOptions): WebsocketHandler {
  const { exposeErrorDetails } = options
  const { admission } = options

  /**
   * The same gate as over HTTP: the document admitted, then priced and charged
   * to the connection's caller (trusted documents skip the cost limit, not the rate limit).
   */
  async function admit(
    extra: ConnectionExtra,
    id: string,
    payload: SubscribePayload,
    query: string,
    listed: boolean,
    stillSubscribed: () => boolean,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const schema = options.schema()
    const admitted = admission.document(schema, query)
    if ('errors' in admitted) return admitted.errors
    const resolved = admission.operation(schema, admitted.document, payload.operationName ?? undefined, payload.variables)
    if ('errors' in resolved) return resolved.errors
    if (options.gate !== undefined) {
      const gate = await options.gate.admit({
        schema,
        document: admitted.document,
        operation: resolved.operation,
        variables: resolved.variables,
        caller: callerKey(extra.viewer.subject, extra.request.ip),
        skipCostLimit: listed,
      })
      if (!gate.admitted) return [gate.error]
      // The client may complete the operation while it is being charged: then it must not start
      // (graphql-ws sends nothing for an id it no longer knows, and onComplete has run already).
      if (!stillSubscribed()) return [new GraphQLError('The operation was completed before it started.')]
    }
    const contextValue = options.createContext(extra, id)
    extra.operations.set(id, contextValue)
    const { operation } = resolved
    if (options.onOperation !== undefined && operation.operation !== 'subscription') {
      extra.timings.set(id, { type: operation.operation, name: operation.name?.value ?? null, startedAt: performance.now() })
    }
    return { schema, document: admitted.document, operationName: payload.operationName, variableValues: resolved.variables, contextValue }
  }

  const server = makeServer<Record<string, unknown>, ConnectionExtra>({
    connectionInitWaitTimeout: options.initTimeoutMs,
    async onConnect(ctx) {
      try {
        const verdict = await options.authorize({ payload: ctx.connectionParams, request: ctx.extra.request })
        if (typeof verdict === 'boolean') return verdict
        if ('refused' in verdict) {
          // Closed here so the reason says why; graphql-ws' own close after `false` is then a no-op.
          ctx.extra.socket.close(CloseCode.Forbidden, fitCloseReason(verdict.refused))
          return false
        }
        accept(ctx.extra, verdict)
        return true
      } catch (err) {
        ctx.extra.request.log.warn({ err }, 'websocket connection authorizer failed; refusing the connection')
        return false
      }
    },
    async onSubscribe(ctx, id, payload) {
      // graphql-ws registers the id before calling us, so the count includes this operation.
      if (Object.keys(ctx.subscriptions).length > options.maxPerConnection) {
        return [new GraphQLError(`At most ${options.maxPerConnection} operations at once per connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })]
      }
      const { persisted } = options
      const open = (): boolean => id in ctx.subscriptions
      const hashed = (payload.extensions?.['persistedQuery'] ?? null) !== null
      // Only hashes and a required list need the lookup; a plain document goes straight to admission.
      if (persisted === undefined || (!hashed && !persisted.screensEveryDocument)) return admit(ctx.extra, id, payload, payload.query, false, open)
      return persisted.resolve({ query: payload.query === '' ? undefined : payload.query, extensions: payload.extensions ?? undefined }).then(async (found) => {
        if (found instanceof ClientError) return [new GraphQLError(found.message, { extensions: { code: found.code } })]
        const admitted = await admit(ctx.extra, id, payload, found.query, found.persisted === 'listed', open)
        if (found.register !== null && !Array.isArray(admitted)) await persisted.register(found.register, found.query)
        return admitted
      })
    },
    onNext(ctx, id, _payload, _args, result) {
      const context = ctx.extra.operations.get(id)
      const extra = context?.errors ?? []
      const timing = ctx.extra.timings.get(id)
      if (timing !== undefined) {
        ctx.extra.timings.delete(id)
        const failed = result.errors !== undefined || extra.length > 0
        const outcome: OperationOutcome = result.data === undefined || result.data === null ? 'error' : failed ? 'partial' : 'ok'
        options.onOperation?.(timing.type, timing.name, outcome, (performance.now() - timing.startedAt) / 1_000)
      }
      if (result.errors === undefined && extra.length === 0) return
      if (context !== undefined) context.errors = null
      const errors = formatted([...(result.errors ?? []), ...extra], ctx.extra.request, exposeErrorDetails)
      // `data` stays absent when execution never started (e.g. a rejected `after`), as the spec asks.
      return result.data === undefined ? { errors } : { data: result.data, errors }
    },
    onError: (ctx, _id, _payload, errors) => formatted(errors, ctx.extra.request, exposeErrorDetails),
    onComplete(ctx, id) {
      ctx.extra.operations.get(id)?.dispose()
      ctx.extra.operations.delete(id)
      ctx.extra.timings.delete(id)
    },
  })

  return function wsHandler(socket, request) {
    if (!options.registry.admit(socket)) return
    const extra: ConnectionExtra = { socket, request, operations: new Map(), timings: new Map(), viewer: ANONYMOUS, expiry: null }
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Resolves once ws has handed the frame to the OS: graphql-ws awaits it before taking the
        // next event of a subscription, which is what makes a non-reading peer pile up in our queue.
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve()
            socket.send(data, (err) => (err ? reject(err) : resolve()))
          }),
        close: (code, reason) => socket.close(code, reason === undefined ? undefined : fitCloseReason(reason)),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            const text = String(data)
            if (isServerMessage(text)) {
              socket.close(CloseCode.BadRequest, 'Invalid message received')
              return
            }
            handle(text).catch((err: unknown) => {
              request.log.error({ err }, 'websocket message handling failed')
              socket.close(CloseCode.InternalServerError, 'Internal server error')
            })
          }),
      },
      extra,
    )
    socket.once('close', (code, reason) => {
      if (extra.expiry !== null) clearTimeout(extra.expiry)
      for (const operation of extra.operations.values()) operation.dispose()
      extra.operations.clear()
      closed(code, reason.toString()).catch((err: unknown) => request.log.warn({ err }, 'websocket close handling failed'))
    })
  }
}
