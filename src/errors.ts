/**
 * The registry of coded errors. Process-level failures use BFF_ERR_* codes;
 * errors a GraphQL client sees carry one of the GRAPHQL_ERROR_CODES as
 * `extensions.code`, which clients may branch on (stable across releases).
 */
export const GRAPHQL_ERROR_CODES = [
  'DOWNSTREAM_UNAVAILABLE',
  'DOWNSTREAM_ERROR',
  'DOWNSTREAM_TIMEOUT',
  'DOWNSTREAM_CIRCUIT_OPEN',
  'DOWNSTREAM_OVERLOADED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_ABORTED',
  'INTERNAL_SERVER_ERROR',
  // --- subscriptions ---
  'EVENTS_EXPIRED',
  'TOO_MANY_SUBSCRIPTIONS',
  'EVENT_LOG_UNAVAILABLE',
] as const

export type GraphQLErrorCode = (typeof GRAPHQL_ERROR_CODES)[number]

export const BFF_ERROR_CODES = {
  BFF_ERR_CONFIG_INVALID: 'Configuration is invalid',
  BFF_ERR_SCHEMA_LOAD: 'GraphQL schema could not be loaded',
  BFF_ERR_OPTION_INVALID: 'Invalid option',
  BFF_ERR_SUBSCRIBER_OVERFLOW: 'A subscriber fell too far behind',
  /** The cache store failed, timed out or is bypassed by its breaker; callers go downstream instead. */
  BFF_ERR_CACHE_UNAVAILABLE: 'Cache is unavailable',
} as const

export type BffErrorCode = keyof typeof BFF_ERROR_CODES

/** A process-level error (boot, wiring, bad options): never shown to API clients. */
export class BffError extends Error {
  readonly code: BffErrorCode

  constructor(code: BffErrorCode, message: string = BFF_ERROR_CODES[code], options?: ErrorOptions) {
    super(message, options)
    this.name = 'BffError'
    this.code = code
  }
}

/**
 * An error meant for GraphQL clients: its message and code are safe to show.
 * The error formatter passes these through and masks everything else.
 */
export class ClientError extends Error {
  readonly code: GraphQLErrorCode
  /** Extra, client-safe details for `extensions`. */
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: GraphQLErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ClientError'
    this.code = code
    this.details = details
  }
}

export const notFound = (what: string, id: string): ClientError =>
  new ClientError('NOT_FOUND', `${what} ${id} was not found`, { id })

export const badUserInput = (message: string, details: Readonly<Record<string, unknown>> = {}): ClientError =>
  new ClientError('BAD_USER_INPUT', message, details)
