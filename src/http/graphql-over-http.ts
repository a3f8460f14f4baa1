import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError } from 'graphql'
import { ClientError, clientMessage, statusOf, type GraphQLErrorCode } from '../errors.js'
import { formatGraphQLErrors } from '../graphql/error-formatter.js'
import type { OperationOutcome } from '../telemetry/outcomes.js'
import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, isJsonContentType, negotiate } from './negotiation.js'
import { readParams } from './request-params.js'

export interface GraphQLOverHttpOptions {
  readonly exposeErrorDetails: boolean
}

/** What the routes of GET and POST /graphql run (plugins/graphql-http.ts registers them). */
export interface GraphQLOverHttp {
  /** Runs one GraphQL request; `source` is the query string (GET) or the body (POST). */
  execute(request: FastifyRequest, reply: FastifyReply, source: unknown): Promise<FastifyReply>
  /** The routes' error handler: body and parameter failures as GraphQL-shaped request errors, the rest masked. */
  errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply
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
  const { exposeErrorDetails } = options
  // The same gate as the websocket endpoint's (plugins/graphql.ts), so both answer alike.
  const admission = app.documentAdmission.http

  function sendErrors(reply: FastifyReply, statusCode: number, errors: readonly Record<string, unknown>[]): FastifyReply {
    const mediaType = negotiate(reply.request.headers.accept) ?? APPLICATION_JSON
    return reply.code(statusCode).type(`${mediaType}; charset=utf-8`).send({ errors })
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

  async function execute(request: FastifyRequest, reply: FastifyReply, source: unknown): Promise<FastifyReply> {
    const method = request.method === 'GET' ? 'GET' : 'POST'
    const mediaType = negotiate(request.headers.accept)
    if (mediaType === null) return requestError(reply, 'NOT_ACCEPTABLE')
    if (method === 'POST' && !isJsonContentType(request.headers['content-type'])) return requestError(reply, 'UNSUPPORTED_MEDIA_TYPE')
    const params = readParams(source, method)
    const schema = app.graphql.schema
    const admitted = admission.document(schema, params.query)
    if ('errors' in admitted) return documentErrors(request, reply, mediaType, admitted.errors)
    const resolved = admission.operation(schema, admitted.document, params.operationName, params.variables)
    if ('errors' in resolved) return documentErrors(request, reply, mediaType, resolved.errors)
    if (method === 'GET' && resolved.operation.operation !== 'query') {
      reply.header('allow', 'POST')
      return requestError(reply, 'METHOD_NOT_ALLOWED')
    }
    const type = resolved.operation.operation
    const name = resolved.operation.name?.value ?? null
    const startedAt = performance.now()
    let outcome: OperationOutcome = 'error'
    // The semantic conventions' GraphQL span name: `query Home`, or the type alone for an anonymous operation.
    const span = app.telemetry.spans.of(request.raw)
    span?.updateName(name === null ? type : `${type} ${name}`)
    span?.setAttributes(name === null ? { 'graphql.operation.type': type } : { 'graphql.operation.type': type, 'graphql.operation.name': name })
    // The deadline starts once the operation is known: every downstream leg inherits what is left of it.
    const context = app.operationContexts.http(reply, span)
    try {
      // Coerced above, defaults applied; mercurius coerces them again (a no-op for values already coerced).
      const result = await app.graphql(params.query, context, resolved.variables as Record<string, unknown>, params.operationName)
      outcome = operationOutcome(result)
      // No `data` at all means execution never began: the spec's own media type answers those with 400.
      const status = result.data === undefined && mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200
      return reply.code(status).type(`${mediaType}; charset=utf-8`).send(result)
    } catch (error) {
      const failure = error as MercuriusLikeError
      // Admission resolved the operation and checked the variables, so mercurius' only refusal left is validation.
      if (failure.code === 'MER_ERR_GQL_VALIDATION' && Array.isArray(failure.errors)) {
        const errors = failure.errors.map((inner) =>
          inner instanceof GraphQLError
            ? new GraphQLError(inner.message, { nodes: inner.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...inner.extensions } })
            : new GraphQLError('The document is not valid against the schema.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        )
        return documentErrors(request, reply, mediaType, errors)
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

  return { execute, errorHandler }
}
