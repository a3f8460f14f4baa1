import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import { ReadTrail } from '../cache/read-trail.js'
import { ClientError, clientMessage, statusOf, type GraphQLErrorCode } from '../errors.js'
import { withoutSuggestions } from '../edge/limit-rules.js'
import { callerKey, retryAfterS } from '../edge/operation-gate.js'
import { formatGraphQLErrors } from '../graphql/error-formatter.js'
import type { Viewer } from '../identity/viewer.js'
import { appendVary, cacheControlFor, ifNoneMatchHits, NOT_STORED, weakEtag } from './http-caching.js'
import type { OperationOutcome } from '../telemetry/outcomes.js'
import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, isJsonContentType, negotiate } from './negotiation.js'
import type { OperationCachePolicy } from './operation-cache-policy.js'
import { readParams } from './request-params.js'

export interface GraphQLOverHttpOptions {
  readonly exposeErrorDetails: boolean
  /** false (introspection off): validation messages lose their "Did you mean …" sentence. @default true */
  readonly suggestions?: undefined | boolean
  /** The @cacheControl policy of an admitted operation (http/operation-cache-policy.ts), for GET answers. */
  readonly cachePolicy: (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => OperationCachePolicy
  /** How long a caller back before its Retry-After waits for its 429, in ms (RATE_LIMIT_EARLY_RETRY_DELAY_MS). @default 0 */
  readonly earlyRetryDelayMs?: undefined | number
}

/**
 * Early retries held at once; beyond, they are answered without the delay, so
 * a client opening many sockets cannot make the process hold unbounded state.
 */
const MAX_HELD_EARLY_RETRIES = 1_000

/** What the routes of GET and POST /graphql run (plugins/graphql-http.ts registers them). */
export interface GraphQLOverHttp {
  /** Runs one GraphQL request; `source` is the query string (GET) or the body (POST). */
  execute(request: FastifyRequest, reply: FastifyReply, source: unknown): Promise<FastifyReply>
  /** The routes' error handler: body and parameter failures as GraphQL-shaped request errors, the rest masked. */
  errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply
  /**
   * The routes' onRequest hook: a caller back before the Retry-After of its
   * last 429 is refused again before its body is read (edge/waiting-callers.ts).
   */
  refuseWaitingCaller(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>
}

/** ok: data and no errors; partial: data beside errors; error: no data. */
function operationOutcome(result: { readonly data?: unknown; readonly errors?: readonly unknown[] | undefined }): OperationOutcome {
  if (result.data === undefined || result.data === null) return 'error'
  return result.errors !== undefined && result.errors.length > 0 ? 'partial' : 'ok'
}

interface MercuriusLikeError {
  readonly code?: string
  readonly errors?: readonly unknown[]
}

/**
 * A kept answer's key: the viewer (subject and scopes: the schema's rules read
 * nothing else of it), the operation and its coerced variables.
 */
function answerKey(viewer: Viewer, operationName: string | null | undefined, query: string, variables: unknown): string {
  const scopes = viewer.scopes.size === 0 ? '' : [...viewer.scopes].sort().join(' ')
  return `${viewer.subject ?? ''}\u0000${scopes}\u0000${operationName ?? ''}\u0000${JSON.stringify(variables ?? null)}\u0000${query}`
}

/** An answer of serialized `data` alone, with this request's `extensions.cost` when there is one. */
const answerBody = (data: string, costExtensions: Record<string, unknown> | undefined): string =>
  costExtensions === undefined ? `{"data":${data}}` : `{"data":${data},"extensions":${JSON.stringify(costExtensions)}}`

/**
 * GraphQL over HTTP per the GraphQL-over-HTTP spec: content negotiation,
 * request parameters, request errors in GraphQL shape, and the status of each
 * answer. Owning the routes (mercurius `routes: false`) is what lets request
 * errors get a GraphQL-shaped body and the right status. Every document passes
 * the admission gate before mercurius sees it, so a request error is found in
 * the spec's order (parse, validate, operation, variables) and gets its code
 * from where it was found, never from its message text; statuses come from
 * the error registry.
 */
export function createGraphQLOverHttp(app: FastifyInstance, options: GraphQLOverHttpOptions): GraphQLOverHttp {
  const { exposeErrorDetails, cachePolicy } = options
  const message = options.suggestions === false ? withoutSuggestions : (text: string): string => text
  // The same gate as the websocket endpoint's (plugins/graphql.ts), so both answer alike.
  const admission = app.documentAdmission.http
  const persisted = app.persistedDocuments
  const kept = app.responseCache

  function sendErrors(reply: FastifyReply, statusCode: number, errors: readonly Record<string, unknown>[], extensions?: Record<string, unknown>): FastifyReply {
    reply.header('cache-control', NOT_STORED)
    appendVary(reply, 'Accept', 'Authorization')
    const mediaType = negotiate(reply.request.headers.accept) ?? APPLICATION_JSON
    return reply.code(statusCode).type(`${mediaType}; charset=utf-8`).send(extensions === undefined ? { errors } : { errors, extensions })
  }

  /** An HTTP-level refusal: the registry's status whatever the media type. */
  function requestError(reply: FastifyReply, code: GraphQLErrorCode, message?: undefined | string): FastifyReply {
    return sendErrors(reply, statusOf(code), [{ message: clientMessage(code, message), extensions: { code } }])
  }

  /**
   * A well-formed request whose document, operation or variables are wrong:
   * application/json keeps 200 (legacy clients parse the body), the spec's
   * own media type takes the registry's status.
   */
  function documentErrors(request: FastifyRequest, reply: FastifyReply, mediaType: string, errors: readonly GraphQLError[]): FastifyReply {
    const formatted = formatGraphQLErrors(errors, request.log, { exposeErrorDetails })
    const first = formatted[0]?.['extensions'] as { code?: GraphQLErrorCode } | undefined
    const status = mediaType === GRAPHQL_RESPONSE_JSON ? statusOf(first?.code ?? 'GRAPHQL_VALIDATION_FAILED') : 200
    return sendErrors(reply, status, formatted)
  }

  const earlyRetryDelayMs = options.earlyRetryDelayMs ?? 0
  let heldEarlyRetries = 0

  async function refuseWaitingCaller(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    // Websocket upgrades share the GET route; their operations are charged one by one.
    if (request.headers.upgrade !== undefined) return undefined
    const caller = callerKey(request.viewer.subject, request.ip)
    let waitMs = app.edge.waitLeftMs(caller)
    if (waitMs === 0) return undefined
    app.telemetry.metrics.edge.earlyRetry()
    // Held, not answered at once: a client retrying in a loop is slowed to one request per delay per
    // socket, and costs the process a timer instead of the CPU of every retry. A client that
    // honours Retry-After never gets here.
    const delayMs = Math.min(waitMs, earlyRetryDelayMs)
    if (delayMs > 0 && heldEarlyRetries < MAX_HELD_EARLY_RETRIES) {
      heldEarlyRetries += 1
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref())
      heldEarlyRetries -= 1
      waitMs = app.edge.waitLeftMs(caller)
      if (waitMs === 0) return undefined
    }
    const retryAfterMs = Math.ceil(waitMs)
    reply.header('retry-after', String(retryAfterS(waitMs)))
    return sendErrors(reply, statusOf('RATE_LIMITED'), [{ message: clientMessage('RATE_LIMITED', undefined), extensions: { code: 'RATE_LIMITED', retryAfterMs } }])
  }

  const hasToken = (request: FastifyRequest): boolean => (request.headers.authorization ?? '') !== ''

  async function execute(request: FastifyRequest, reply: FastifyReply, source: unknown): Promise<FastifyReply> {
    const method = request.method === 'GET' ? 'GET' : 'POST'
    const mediaType = negotiate(request.headers.accept)
    if (mediaType === null) return requestError(reply, 'NOT_ACCEPTABLE')
    if (method === 'POST' && !isJsonContentType(request.headers['content-type'])) return requestError(reply, 'UNSUPPORTED_MEDIA_TYPE')
    const params = readParams(source, method)
    // Before the gate: a hash stands for a document, and the trusted list may refuse it.
    const found = await persisted.resolve(params)
    if (found instanceof ClientError) return requestError(reply, found.code, found.message)
    request.persistedOperation = found.persisted
    const query = found.query
    const schema = app.graphql.schema
    const admitted = admission.document(schema, query)
    if ('errors' in admitted) return documentErrors(request, reply, mediaType, admitted.errors)
    // Awaited: the next request for this hash may reach another instance at once.
    if (found.register !== null) await persisted.register(found.register, query)
    const resolved = admission.operation(schema, admitted.document, params.operationName, params.variables)
    if ('errors' in resolved) return documentErrors(request, reply, mediaType, resolved.errors)
    if (method === 'GET' && resolved.operation.operation !== 'query') {
      reply.header('allow', 'POST')
      return requestError(reply, 'METHOD_NOT_ALLOWED')
    }
    // Priced and charged to the caller before anything runs downstream.
    const gate = await app.edge.admit({
      schema,
      document: admitted.document,
      operation: resolved.operation,
      variables: resolved.variables,
      caller: callerKey(request.viewer.subject, request.ip),
      // Trusted documents were reviewed when they were listed: they skip the cost limit, not the rate limit.
      skipCostLimit: request.persistedOperation === 'listed',
    })
    reply.headers(gate.headers)
    const costExtensions = gate.cost.throttleStatus === undefined ? undefined : { cost: gate.cost }
    if (!gate.admitted) {
      if (gate.status !== statusOf('RATE_LIMITED')) {
        const invalid = admission.invalid(schema, admitted.document)
        return documentErrors(request, reply, mediaType, invalid.length > 0 ? invalid : [gate.error])
      }
      return sendErrors(reply, gate.status, formatGraphQLErrors([gate.error], request.log, { exposeErrorDetails }), costExtensions)
    }
    const type = resolved.operation.operation
    const name = resolved.operation.name?.value ?? null
    // The semantic conventions' GraphQL span name: `query Home`, or the type alone for an anonymous operation.
    const span = app.telemetry.spans.of(request.raw)
    span?.updateName(name === null ? type : `${type} ${name}`)
    span?.setAttributes(name === null ? { 'graphql.operation.type': type } : { 'graphql.operation.type': type, 'graphql.operation.name': name })
    // A repeat by the same viewer of a query whose answer is kept: no execution at all. POST only:
    // GET answers carry validators and Cache-Control, made from the execution.
    const keeper = kept !== null && method === 'POST' && type === 'query' ? { kept, key: answerKey(request.viewer, params.operationName, query, resolved.variables) } : null
    const startedAt = performance.now()
    const keptData = keeper?.kept.get(keeper.key, Date.now())
    if (keptData !== undefined) {
      span?.setAttributes({ 'bff.response_cache': 'hit' })
      app.telemetry.metrics.operation(type, name, 'ok', (performance.now() - startedAt) / 1_000)
      reply.code(200).type(`${mediaType}; charset=utf-8`).header('cache-control', NOT_STORED)
      appendVary(reply, 'Accept', 'Authorization')
      return reply.send(answerBody(keptData, costExtensions))
    }
    const trail = keeper === null ? null : new ReadTrail()
    const since = keeper?.kept.mark() ?? 0
    let outcome: OperationOutcome = 'error'
    // The deadline starts once the operation is known: every downstream leg inherits what is left of it.
    const context = app.operationContexts.http(reply, span, trail)
    try {
      // Coerced above, defaults applied; mercurius coerces them again (a no-op for values already coerced).
      const result = await app.graphql(query, context, resolved.variables as Record<string, unknown>, params.operationName)
      outcome = operationOutcome(result)
      // No `data` at all means execution never began: the spec's own media type answers those with 400.
      const status = result.data === undefined && mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200
      const body = costExtensions === undefined ? result : { ...result, extensions: { ...result.extensions, ...costExtensions } }
      reply.code(status).type(`${mediaType}; charset=utf-8`)
      appendVary(reply, 'Accept', 'Authorization')
      const errors = result.errors !== undefined && result.errors.length > 0
      // Partial answers and those with notes (a stale entry served) are never repeated. A keepable
      // answer is a POST (not stored by HTTP caches): its data is serialized once, for both.
      const keepable = keeper !== null && !errors && result.extensions === undefined ? context.keepableTrail() : null
      if (keeper !== null && keepable !== null) {
        const data = JSON.stringify(result.data)
        keeper.kept.keep(keeper.key, data, keepable, since, Date.now())
        reply.header('cache-control', NOT_STORED)
        return reply.send(answerBody(data, costExtensions))
      }
      const cacheControl = method === 'GET' && !errors ? cacheControlFor(cachePolicy(schema, admitted.document, resolved.operation), hasToken(request)) : NOT_STORED
      reply.header('cache-control', cacheControl)
      if (cacheControl === NOT_STORED) return reply.send(body)
      const serialized = JSON.stringify(body)
      // The validator is the data's, not the caller's bucket: extensions.cost changes with every answer,
      // and would otherwise make every If-None-Match miss.
      const etag = weakEtag(mediaType, body === result ? serialized : JSON.stringify(result))
      reply.header('etag', etag)
      // RFC 9110 §15.4.5: a 304 carries the validator and Cache-Control, and no body.
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send()
      return reply.send(serialized)
    } catch (error) {
      const failure = error as MercuriusLikeError
      // Admission resolved the operation and checked the variables, so mercurius' only refusal left is validation.
      if (failure.code === 'MER_ERR_GQL_VALIDATION' && Array.isArray(failure.errors)) {
        const errors = failure.errors.map((inner) =>
          inner instanceof GraphQLError
            ? new GraphQLError(message(inner.message), { nodes: inner.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...inner.extensions } })
            : new GraphQLError('The document is not valid against the schema.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        )
        return documentErrors(request, reply, mediaType, errors)
      }
      // graphql-js' single-root-field rule throws, rather than reports, a conditional root field in
      // any subscription of the document, not only the one run: admission reports it as invalid.
      if (error instanceof GraphQLError) {
        const invalid = admission.invalid(schema, admitted.document)
        if (invalid.length > 0) return documentErrors(request, reply, mediaType, invalid)
      }
      throw error
    } finally {
      app.telemetry.metrics.operation(type, name, outcome, (performance.now() - startedAt) / 1_000)
    }
  }

  /** Turns body/params failures into GraphQL-shaped request errors; masks the rest. */
  function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error instanceof ClientError) return requestError(reply, error.code, error.message)
    const status = error.statusCode ?? 500
    if (status === 413) return requestError(reply, 'PAYLOAD_TOO_LARGE')
    if (status === 415) return requestError(reply, 'UNSUPPORTED_MEDIA_TYPE')
    // fastify's own 4xx (an unparseable JSON body, say) describe the client's request, never our internals.
    if (status >= 400 && status < 500) return sendErrors(reply, status, [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }])
    request.log.error({ err: error }, 'graphql request failed')
    const message = exposeErrorDetails ? error.message : clientMessage('INTERNAL_SERVER_ERROR', undefined)
    return sendErrors(reply, statusOf('INTERNAL_SERVER_ERROR'), [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }])
  }

  return { execute, errorHandler, refuseWaitingCaller }
}
