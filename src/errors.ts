/**
 * The registry of coded errors: the one place that says, for every code a
 * client can see, what sentence it gets, which HTTP status answers it when it
 * ends the request before execution, and which websocket close code ends a
 * connection for it. Transports read statuses and close codes from here;
 * nothing classifies an error by its message text.
 *
 * Process-level failures use BFF_ERR_* codes and are never shown to clients.
 */

export interface ClientErrorSpec {
  /**
   * The sentence a client reads. For `masked` codes it is the only one: the
   * specific message (service names, URLs, settings) goes to the logs with
   * the request id. Other codes may carry a more specific, client-safe
   * message (which argument was wrong and why); this is their default.
   */
  readonly message: string
  /**
   * HTTP status when this error answers the whole request (nothing was
   * executed). Field errors beside partial data always ride in a 200.
   */
  readonly status: number
  /** The client never sees a message of ours for this code but `message`. */
  readonly masked: boolean
  /** Websocket close code when this error ends a connection rather than one operation. */
  readonly closeCode?: number
}

const spec = (status: number, message: string, extra: { masked?: boolean; closeCode?: number } = {}): ClientErrorSpec => ({
  status,
  message,
  masked: extra.masked ?? false,
  ...(extra.closeCode === undefined ? {} : { closeCode: extra.closeCode }),
})

/**
 * Every code a GraphQL client may branch on, stable across releases (the
 * README's error table is checked against this list).
 */
export const CLIENT_ERRORS = {
  // --- a downstream service failed the field; the rest of the response is served ---
  DOWNSTREAM_UNAVAILABLE: spec(503, 'A service this data depends on is unavailable.', { masked: true }),
  DOWNSTREAM_ERROR: spec(502, 'A service this data depends on failed.', { masked: true }),
  DOWNSTREAM_TIMEOUT: spec(504, 'A service this data depends on did not answer in time.', { masked: true }),
  DOWNSTREAM_CIRCUIT_OPEN: spec(503, 'A service this data depends on is failing; calls to it are paused.', { masked: true }),
  DOWNSTREAM_OVERLOADED: spec(503, 'A service this data depends on is at capacity; retry shortly.', { masked: true }),
  DOWNSTREAM_BUDGET_EXCEEDED: spec(
    400,
    'This operation needs more downstream calls than one operation may make; ask for fewer items.',
    { masked: true },
  ),
  // --- the client's input ---
  NOT_FOUND: spec(404, 'The requested item was not found.'),
  BAD_USER_INPUT: spec(400, 'An argument or variable is invalid.'),
  BAD_REQUEST: spec(400, 'The request is malformed.'),
  GRAPHQL_PARSE_FAILED: spec(400, 'The document is not valid GraphQL syntax.'),
  GRAPHQL_VALIDATION_FAILED: spec(400, 'The document is not valid against the schema.'),
  METHOD_NOT_ALLOWED: spec(405, 'Mutations and subscriptions need POST.'),
  NOT_ACCEPTABLE: spec(406, 'Accept application/json or application/graphql-response+json.'),
  UNSUPPORTED_MEDIA_TYPE: spec(415, 'POST bodies must be application/json.'),
  PAYLOAD_TOO_LARGE: spec(413, 'The request body is larger than the server accepts.'),
  REQUEST_TIMEOUT: spec(408, 'The request did not arrive within the time allowed.'),
  HEADERS_TOO_LARGE: spec(431, 'The request headers are larger than the server accepts.'),
  // --- identity: who is asking, and whether they may see this ---
  /**
   * A bearer token was sent and is not acceptable (bad signature, algorithm, issuer, audience,
   * expired, not yet valid, malformed): 401 with `WWW-Authenticate: Bearer error="invalid_token"`;
   * on a websocket, 4403 (graphql-ws' Forbidden, the code its clients retry). Also a field that
   * needs a signed-in caller, asked anonymously (null + this code, the rest served).
   */
  UNAUTHENTICATED: spec(401, 'A valid bearer token is required.', { closeCode: 4403 }),
  /** The caller is known but may not see or change this (someone else's data, a missing scope). */
  FORBIDDEN: spec(403, 'Not allowed for this caller.'),
  // --- persisted queries (APQ and trusted documents) ---
  /**
   * The hash is not known (yet): Apollo Client and urql send the document
   * again with its hash on exactly this code, or this message. 200 as in
   * Apollo Server: Apollo Client 3 turns persisted queries off for good on a
   * 400 or 500 answer.
   */
  PERSISTED_QUERY_NOT_FOUND: spec(200, 'PersistedQueryNotFound'),
  /** Hashes are not accepted here (APQ off): clients stop sending them. 200 for the same reason. */
  PERSISTED_QUERY_NOT_SUPPORTED: spec(200, 'PersistedQueryNotSupported'),
  /** PERSISTED_OPERATIONS_MODE=require and the document (or id) is not on the list. */
  PERSISTED_QUERY_NOT_LISTED: spec(403, 'Only operations on this server\'s list of trusted documents are accepted.'),
  // --- the server protecting itself ---
  SERVER_OVERLOADED: spec(503, 'The server is overloaded; retry after the time in Retry-After.', { closeCode: 1013 }),
  REQUEST_ABORTED: spec(499, 'The client went away before the request finished.', { masked: true }),
  INTERNAL_SERVER_ERROR: spec(500, 'Unexpected error.', { masked: true, closeCode: 1011 }),
  // --- the edge: operation limits and the caller's cost budget (src/edge) ---
  TOO_MANY_TOKENS: spec(400, 'The document is longer than the server accepts.'),
  TOO_MANY_ALIASES: spec(400, 'The operation uses more aliases than the server accepts.'),
  TOO_MANY_DIRECTIVES: spec(400, 'The operation uses more directives than the server accepts.'),
  COST_LIMIT_EXCEEDED: spec(400, 'The operation costs more than one operation may; ask for fewer items.'),
  /** The caller's token bucket holds fewer points than the operation costs; Retry-After says when it will not. */
  RATE_LIMITED: spec(429, 'Rate limit exceeded; retry after the time in Retry-After.'),
  // --- subscriptions ---
  EVENTS_EXPIRED: spec(400, 'The events after the given position are no longer retained.'),
  TOO_MANY_SUBSCRIPTIONS: spec(400, 'Too many operations at once on this connection.'),
  TOO_MANY_CONNECTIONS: spec(503, 'Too many connections; try again later.', { closeCode: 1013 }),
  EVENT_LOG_UNAVAILABLE: spec(503, 'The event log cannot be read right now; resubscribe with after.'),
  /** RFC 6455 1012: the graphql-ws client reconnects (to another instance) and resumes with `after`. */
  SERVER_RESTARTING: spec(503, 'Server restarting; reconnect and resume with after.', { closeCode: 1012 }),
  /**
   * The subscriber stopped reading and more events piled up than its buffer
   * allows. graphql-ws' CloseCode has nothing for it; 4413 follows its
   * 4000 + HTTP status habit (413: too large). The client retries: resume
   * with the last `eventId` seen as `after` to miss nothing.
   */
  SLOW_CONSUMER: spec(400, 'Slow consumer: too many events queued; resume with after.', { closeCode: 4413 }),
} as const satisfies Record<string, ClientErrorSpec>

export type GraphQLErrorCode = keyof typeof CLIENT_ERRORS

export const GRAPHQL_ERROR_CODES = Object.keys(CLIENT_ERRORS) as readonly GraphQLErrorCode[]

export function isGraphQLErrorCode(value: unknown): value is GraphQLErrorCode {
  return typeof value === 'string' && Object.hasOwn(CLIENT_ERRORS, value)
}

/** The HTTP status of a request that ends with `code` before execution. */
export function statusOf(code: GraphQLErrorCode): number {
  return CLIENT_ERRORS[code].status
}

/** What the client reads for an error coded `code` whose own message is `message`. */
export function clientMessage(code: GraphQLErrorCode, message: string | undefined): string {
  const entry: ClientErrorSpec = CLIENT_ERRORS[code]
  return entry.masked || message === undefined || message === '' ? entry.message : message
}

/** The websocket close code and reason for a connection ended with `code`. */
export function closeFor(code: GraphQLErrorCode, reason?: undefined | string): { readonly code: number; readonly reason: string } {
  const entry: ClientErrorSpec = CLIENT_ERRORS[code]
  if (entry.closeCode === undefined) throw new TypeError(`closeFor: ${code} does not close connections`)
  // RFC 6455 caps a close reason at 123 bytes.
  return { code: entry.closeCode, reason: truncateUtf8(reason ?? entry.message, 123) }
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  let end = Math.min(text.length, maxBytes)
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes) end -= 1
  return text.slice(0, end)
}

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
 * An error meant for GraphQL clients: its code is stable, and its message is
 * safe to show unless the registry masks the code (then the registry's
 * sentence is shown and this message is logged).
 */
export class ClientError extends Error {
  readonly code: GraphQLErrorCode
  /** Extra, client-safe details for `extensions`. */
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: GraphQLErrorCode, message?: undefined | string, details: Readonly<Record<string, unknown>> = {}, options?: ErrorOptions) {
    super(message ?? CLIENT_ERRORS[code].message, options)
    this.name = 'ClientError'
    this.code = code
    this.details = details
  }
}

/**
 * Errors that end a request before execution: the transport answers them
 * with the registry's status for their code (the first error's code decides).
 */
export class RequestRejection extends Error {
  readonly code: GraphQLErrorCode
  readonly errors: readonly { readonly message: string; readonly code: GraphQLErrorCode; readonly locations?: undefined | readonly unknown[] }[]

  constructor(errors: RequestRejection['errors']) {
    const first = errors[0]
    if (first === undefined) throw new TypeError('RequestRejection: at least one error is required')
    super(first.message)
    this.name = 'RequestRejection'
    this.code = first.code
    this.errors = errors
  }
}

export const notFound = (what: string, id: string): ClientError => new ClientError('NOT_FOUND', `${what} ${id} was not found`, { id })

export const badUserInput = (message: string, details: Readonly<Record<string, unknown>> = {}): ClientError =>
  new ClientError('BAD_USER_INPUT', message, details)
