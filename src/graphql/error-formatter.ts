import { GraphQLError, type ExecutionResult } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { ClientError, clientMessage, isGraphQLErrorCode, type GraphQLErrorCode } from '../errors.js'
import { DownstreamError } from '../downstream/errors.js'

export interface FormattedResult {
  readonly statusCode: number
  readonly response: { readonly data: unknown; readonly errors: readonly Record<string, unknown>[] }
}

export interface ErrorFormatterOptions {
  /** Show unexpected errors' messages to clients (development only). */
  readonly exposeErrorDetails: boolean
}

type Log = MercuriusContext['reply']['log'] | undefined

/**
 * Every error a client sees leaves through here, over HTTP and websockets:
 * it keeps its registry code, and its message when the registry lets that
 * code carry one (a ClientError's is written for clients). Downstream
 * failures and anything unexpected read the registry's sentence; what they
 * really said (service, URL, settings) is logged with the request id.
 * Partial data is returned with 200: the transport worked, the errors say
 * which fields failed.
 */
export function formatGraphQLErrors(errors: readonly GraphQLError[], log: Log, options: ErrorFormatterOptions): Record<string, unknown>[] {
  // One log line per distinct downstream failure, with how many fields it failed: a wide query can fail thousands.
  const downstream = new Map<string, { error: DownstreamError; path: GraphQLError['path']; fields: number }>()
  const formatted = errors.map((error) => {
    const original = error.originalError
    const base = { locations: error.locations, path: error.path }
    if (original instanceof DownstreamError) {
      const key = `${original.service}\u0000${original.code}\u0000${original.message}`
      const seen = downstream.get(key)
      if (seen === undefined) downstream.set(key, { error: original, path: error.path, fields: 1 })
      else seen.fields += 1
      return { message: clientMessage(original.code, undefined), ...base, extensions: { code: original.code } }
    }
    if (original instanceof ClientError) {
      return { message: clientMessage(original.code, original.message), ...base, extensions: { ...original.details, code: original.code } }
    }
    if (original === undefined || original === null || original instanceof GraphQLError) {
      // Errors graphql-js or a rule raised itself; graphql-jit's may come without `extensions` at all.
      const extensions = (error.extensions as Record<string, unknown> | undefined) ?? {}
      const code = extensions['code']
      if (isGraphQLErrorCode(code)) return { message: clientMessage(code, error.message), ...base, extensions: { ...extensions, code } }
      // Uncoded engine errors are the server's (a null for a non-null field): masked like any bug.
      return masked(error, base, log, options)
    }
    return masked(error, base, log, options)
  })
  for (const { error, path, fields } of downstream.values()) {
    log?.info({ code: error.code, service: error.service, status: error.statusCode, detail: error.message, path, fields }, 'downstream field error')
  }
  return formatted
}

function masked(error: GraphQLError, base: object, log: Log, options: ErrorFormatterOptions): Record<string, unknown> {
  log?.error({ err: error.originalError ?? error, path: error.path }, 'unexpected resolver error')
  const code: GraphQLErrorCode = 'INTERNAL_SERVER_ERROR'
  return { message: options.exposeErrorDetails ? error.message : clientMessage(code, undefined), ...base, extensions: { code } }
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
