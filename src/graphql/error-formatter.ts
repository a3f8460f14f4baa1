import { GraphQLError, type ExecutionResult } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { ClientError, type GraphQLErrorCode } from '../errors.js'
import { DownstreamError } from '../downstream/errors.js'

export interface FormattedResult {
  readonly statusCode: number
  readonly response: { readonly data: unknown; readonly errors: readonly Record<string, unknown>[] }
}

export interface ErrorFormatterOptions {
  /** Show unexpected errors' messages to clients (development only). */
  readonly exposeErrorDetails: boolean
}

/** Engine-raised errors (coercion, non-null violations) carry no original error. */
function engineCode(error: GraphQLError): GraphQLErrorCode {
  return error.message.startsWith('Variable ') ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR'
}

/**
 * Keeps coded errors (ClientError and subclasses) as they are, masks anything
 * else as "Unexpected error." and logs the original. Partial data is returned
 * with 200: the transport worked, the errors say which fields failed.
 */
export function formatGraphQLErrors(
  errors: readonly GraphQLError[],
  log: MercuriusContext['reply']['log'] | undefined,
  options: ErrorFormatterOptions,
): Record<string, unknown>[] {
  return errors.map((error) => {
    const original = error.originalError
    const base = { message: error.message, locations: error.locations, path: error.path }
    if (original instanceof DownstreamError) {
      // The service name stays in logs, not in the response: clients do not need our topology.
      log?.debug({ err: original, service: original.service, path: error.path }, 'downstream field error')
      return { ...base, extensions: { code: original.code } }
    }
    if (original instanceof ClientError) {
      return { ...base, extensions: { ...original.details, code: original.code } }
    }
    if (original === undefined || original === null || original instanceof GraphQLError) {
      // graphql-jit's errors may come without `extensions` at all.
      const extensions = (error.extensions as Record<string, unknown> | undefined) ?? {}
      const code = (extensions['code'] as string | undefined) ?? engineCode(error)
      return { ...base, extensions: { ...extensions, code } }
    }
    log?.error({ err: original, path: error.path }, 'unexpected resolver error')
    const message = options.exposeErrorDetails ? error.message : 'Unexpected error.'
    return { ...base, message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }
  })
}

/** The mercurius `errorFormatter` option. */
export function createErrorFormatter(options: ErrorFormatterOptions) {
  return (execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>, context: MercuriusContext): FormattedResult => ({
    statusCode: 200,
    response: {
      // undefined (not null) when execution never started, e.g. variable coercion failed.
      data: execution.data,
      errors: formatGraphQLErrors(execution.errors, context.reply?.log, options),
    },
  })
}
