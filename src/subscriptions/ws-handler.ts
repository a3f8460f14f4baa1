import type { WebsocketHandler } from '@fastify/websocket'
import type { FastifyRequest } from 'fastify'
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql'
import { CloseCode, makeServer } from 'graphql-ws'
import type { WebSocket } from 'ws'
import { formatGraphQLErrors } from '../graphql/error-formatter.js'
import type { ConnectionRegistry } from './connection-registry.js'
import type { DocumentAdmission } from '../graphql/document-admission.js'
import type { OperationContext } from '../graphql/operation-context.js'
import type { OperationOutcome } from '../telemetry/outcomes.js'

/** What the auth hook sees of a connection. */
export interface ConnectionInit {
  /** The `connection_init` payload, where clients put their token; undefined when absent or not an object. */
  readonly payload: Readonly<Record<string, unknown>> | undefined
  /** The HTTP upgrade request (headers, ip). */
  readonly request: FastifyRequest
}

/**
 * Decides whether a connection may go past `connection_init`: false (or a
 * throw, which is logged) closes it with 4403 Forbidden. The auth issue plugs
 * its token check in here. @default allow every connection
 */
export type AuthorizeConnection = (init: ConnectionInit) => boolean | Promise<boolean>

export const allowAllConnections: AuthorizeConnection = () => true

/** What one connection carries through graphql-ws callbacks. */
export interface ConnectionExtra {
  readonly socket: WebSocket
  readonly request: FastifyRequest
  /** Contexts of the operations running on this connection, by operation id. */
  readonly operations: Map<string, OperationContext>
  /** Queries and mutations running on this connection, by operation id: what their metric needs. */
  readonly timings: Map<string, { readonly type: string; readonly name: string | null; readonly startedAt: number }>
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
  readonly createContext: (connection: ConnectionExtra, operationId: string) => OperationContext
  /** Reports each query or mutation's duration (seconds) and outcome, as the HTTP transport does. @default none */
  readonly onOperation?: undefined | ((type: string, name: string | null, outcome: OperationOutcome, seconds: number) => void)
}

function formatted(errors: readonly GraphQLError[], request: FastifyRequest, exposeErrorDetails: boolean): GraphQLFormattedError[] {
  // formatGraphQLErrors builds GraphQLFormattedError-shaped entries (message, locations, path, extensions).
  return formatGraphQLErrors(errors, request.log, { exposeErrorDetails }) as unknown as GraphQLFormattedError[]
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
  const server = makeServer<Record<string, unknown>, ConnectionExtra>({
    connectionInitWaitTimeout: options.initTimeoutMs,
    async onConnect(ctx) {
      try {
        return (await options.authorize({ payload: ctx.connectionParams, request: ctx.extra.request })) === true
      } catch (err) {
        ctx.extra.request.log.warn({ err }, 'websocket connection authorizer failed; refusing the connection')
        return false
      }
    },
    onSubscribe(ctx, id, payload) {
      // graphql-ws registers the id before calling us, so the count includes this operation.
      if (Object.keys(ctx.subscriptions).length > options.maxPerConnection) {
        return [new GraphQLError(`At most ${options.maxPerConnection} operations at once per connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })]
      }
      const schema = options.schema()
      const admitted = admission.document(schema, payload.query)
      if ('errors' in admitted) return admitted.errors
      const resolved = admission.operation(schema, admitted.document, payload.operationName ?? undefined, payload.variables)
      if ('errors' in resolved) return resolved.errors
      const contextValue = options.createContext(ctx.extra, id)
      ctx.extra.operations.set(id, contextValue)
      const { operation } = resolved
      if (options.onOperation !== undefined && operation.operation !== 'subscription') {
        ctx.extra.timings.set(id, { type: operation.operation, name: operation.name?.value ?? null, startedAt: performance.now() })
      }
      return { schema, document: admitted.document, operationName: payload.operationName, variableValues: resolved.variables, contextValue }
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
    const extra: ConnectionExtra = { socket, request, operations: new Map(), timings: new Map() }
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
        close: (code, reason) => socket.close(code, reason),
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
      for (const operation of extra.operations.values()) operation.dispose()
      extra.operations.clear()
      closed(code, reason.toString()).catch((err: unknown) => request.log.warn({ err }, 'websocket close handling failed'))
    })
  }
}
