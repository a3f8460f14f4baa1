import { ClientError, type GraphQLErrorCode } from '../errors.js'
import type { ServiceName } from '../config/services.js'

export type DownstreamErrorCode = Extract<
  GraphQLErrorCode,
  | 'DOWNSTREAM_UNAVAILABLE'
  | 'DOWNSTREAM_ERROR'
  | 'DOWNSTREAM_TIMEOUT'
  | 'DOWNSTREAM_CIRCUIT_OPEN'
  | 'DOWNSTREAM_OVERLOADED'
  | 'DOWNSTREAM_BUDGET_EXCEEDED'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'REQUEST_ABORTED'
>

/**
 * A failed downstream call. Its message names the service and what happened,
 * for the logs: clients read the registry's sentence for the code instead
 * (graphql/error-formatter.ts), since our topology and settings are not
 * theirs to see.
 */
export class DownstreamError extends ClientError {
  override readonly code: DownstreamErrorCode
  readonly service: ServiceName
  /** HTTP status the service answered with, when it answered. */
  readonly statusCode: number | null

  constructor(
    code: DownstreamErrorCode,
    service: ServiceName,
    message: string,
    options: { statusCode?: number | null; cause?: unknown } = {},
  ) {
    super(code, message, { service }, { cause: options.cause })
    this.name = 'DownstreamError'
    this.code = code
    this.service = service
    this.statusCode = options.statusCode ?? null
  }
}

/** undici codes meaning "could not reach or keep talking to the service". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
])

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code
  }
  return undefined
}

/** Maps a transport-level failure onto a DownstreamError, by undici's `code`, never by message. */
export function fromTransportError(service: ServiceName, error: unknown): DownstreamError {
  if (error instanceof DownstreamError) return error
  const code = errorCode(error)
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service timed out`, { cause: error })
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service sent an oversized response`, { cause: error })
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new DownstreamError('DOWNSTREAM_UNAVAILABLE', service, `${service} service is unavailable`, { cause: error })
  }
  return new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service call failed`, { cause: error })
}

/** Maps a non-2xx answer onto a DownstreamError. */
export function fromStatus(service: ServiceName, statusCode: number, body: unknown): DownstreamError {
  const options = { statusCode, cause: body }
  if (statusCode === 404) return new DownstreamError('NOT_FOUND', service, `${service}: not found`, options)
  // The service checked the relayed token itself (defence in depth) and refused it or its subject.
  if (statusCode === 401) return new DownstreamError('UNAUTHENTICATED', service, 'The bearer token was refused.', options)
  if (statusCode === 403) return new DownstreamError('FORBIDDEN', service, 'Not allowed for this caller.', options)
  if (statusCode === 400 || statusCode === 409 || statusCode === 422) {
    const message = downstreamMessage(body) ?? 'request rejected'
    return new DownstreamError('BAD_USER_INPUT', service, `${service}: ${message}`, options)
  }
  if (statusCode === 502 || statusCode === 503 || statusCode === 504) {
    return new DownstreamError('DOWNSTREAM_UNAVAILABLE', service, `${service} service is unavailable`, options)
  }
  return new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service failed`, options)
}

/**
 * 4xx messages from our own services are validation messages meant to be
 * relayed to the user (e.g. "unknown product 99999"); anything long is cut.
 */
function downstreamMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
    return body.message.slice(0, 200)
  }
  return undefined
}
