import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError } from 'graphql'
import { ClientError } from '../errors.js'
import { formatGraphQLErrors } from '../graphql/error-formatter.js'
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

interface MercuriusLikeError {
  readonly code?: string
  readonly statusCode?: number
  readonly errors?: readonly unknown[]
}

/**
 * GraphQL over HTTP per the GraphQL-over-HTTP spec: content negotiation,
 * request parameters, request errors in GraphQL shape, and the status of each
 * answer. Owning the routes (mercurius `routes: false`) is what lets request
 * errors get a GraphQL-shaped body and the right status.
 */
export function createGraphQLOverHttp(app: FastifyInstance, options: GraphQLOverHttpOptions): GraphQLOverHttp {
  const { exposeErrorDetails } = options

  function sendErrors(reply: FastifyReply, statusCode: number, errors: readonly Record<string, unknown>[]): FastifyReply {
    const mediaType = negotiate(reply.request.headers.accept) ?? APPLICATION_JSON
    return reply.code(statusCode).type(`${mediaType}; charset=utf-8`).send({ errors })
  }

  function requestError(reply: FastifyReply, statusCode: number, code: string, message: string): FastifyReply {
    return sendErrors(reply, statusCode, [{ message, extensions: { code } }])
  }

  async function execute(request: FastifyRequest, reply: FastifyReply, source: unknown): Promise<FastifyReply> {
    const method = request.method === 'GET' ? 'GET' : 'POST'
    const mediaType = negotiate(request.headers.accept)
    if (mediaType === null) {
      return requestError(reply, 406, 'NOT_ACCEPTABLE', `Accept ${APPLICATION_JSON} or ${GRAPHQL_RESPONSE_JSON}`)
    }
    if (method === 'POST' && !isJsonContentType(request.headers['content-type'])) {
      return requestError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `POST bodies must be ${APPLICATION_JSON}`)
    }
    const params = readParams(source, method)
    // The deadline starts once the operation is known: every downstream leg inherits what is left of it.
    const context = app.operationContexts.http(reply)
    try {
      // Always pass a variables map: mercurius only coerces variables when given some, and a
      // missing required variable must be a 400 (BAD_USER_INPUT), not an execution failure.
      const variables = (params.variables ?? {}) as Record<string, unknown>
      const result = await app.graphql(params.query, context, variables, params.operationName)
      // No `data` at all means execution never began (a request error, e.g. variable coercion on
      // the JIT path): the spec's own media type answers those with 400.
      const status = result.data === undefined && mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200
      return reply.code(status).type(`${mediaType}; charset=utf-8`).send(result)
    } catch (error) {
      const failure = error as MercuriusLikeError
      if (failure.code === 'MER_ERR_METHOD_NOT_ALLOWED') {
        reply.header('allow', 'POST')
        return requestError(reply, 405, 'METHOD_NOT_ALLOWED', 'Mutations and subscriptions need POST')
      }
      if (failure.code === 'MER_ERR_GQL_VALIDATION' && Array.isArray(failure.errors)) {
        // application/json keeps 200 for document errors (legacy clients parse the body); the spec's own type uses 400.
        const status = mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200
        const graphqlErrors = failure.errors.map((inner) =>
          inner instanceof GraphQLError ? inner : new GraphQLError(String((inner as Error).message ?? inner)),
        )
        // A code the rule that raised the error gave it wins; graphql-js's own errors carry none.
        const formatted = formatGraphQLErrors(graphqlErrors, request.log, { exposeErrorDetails }).map((entry, index) => ({
          ...entry,
          extensions: {
            ...(entry['extensions'] as object),
            code: (graphqlErrors[index]?.extensions['code'] as string | undefined) ?? validationCode(entry),
          },
        }))
        return sendErrors(reply, status, formatted)
      }
      throw error
    }
  }

  /** Turns body/params failures into GraphQL-shaped request errors; masks the rest. */
  function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error instanceof ClientError) return requestError(reply, 400, error.code, error.message)
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST'
      return requestError(reply, status, code, error.message)
    }
    request.log.error({ err: error }, 'graphql request failed')
    return requestError(reply, 500, 'INTERNAL_SERVER_ERROR', exposeErrorDetails ? error.message : 'Unexpected error.')
  }

  return { execute, errorHandler }
}

function validationCode(entry: Record<string, unknown>): string {
  const message = String(entry['message'])
  if (message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED'
  if (message.startsWith('Variable ')) return 'BAD_USER_INPUT'
  return 'GRAPHQL_VALIDATION_FAILED'
}
