import { DownstreamError } from '../errors.js'
import type { ClientOutcome } from '../../telemetry/outcomes.js'
import type { CallOutcome } from './circuit-breaker.js'

/** How one attempt ended, as far as the policies care. */
export interface AttemptFailure {
  readonly error: unknown
  /** The request left the bulkhead and went to the service. */
  readonly sent: boolean
  /**
   * The service had less than its own attempt limit: the request deadline
   * set the limit, or part of it went waiting in the BFF's bulkhead queue. A
   * timeout then says little about the service.
   */
  readonly deadlineCut: boolean
}

/**
 * Only server-side failures count against the breaker: 5xx, connection
 * errors, invalid bodies and timeouts at the full attempt limit. A 4xx is a
 * healthy service saying no; what the BFF causes itself (client aborts,
 * deadline cuts, time lost in its own queue, calls shed by the bulkhead or
 * refused by an operation's call budget) says nothing about the service and
 * is ignored, so no single caller can open a breaker for everyone.
 */
export function failureOutcome({ error, sent, deadlineCut }: AttemptFailure): CallOutcome {
  if (!sent || !(error instanceof DownstreamError)) return 'ignore'
  if (error.statusCode !== null) return error.statusCode >= 500 ? 'failure' : 'success'
  switch (error.code) {
    case 'DOWNSTREAM_TIMEOUT':
      return deadlineCut ? 'ignore' : 'failure'
    case 'DOWNSTREAM_UNAVAILABLE':
    case 'DOWNSTREAM_ERROR':
      return 'failure'
    default:
      return 'ignore'
  }
}

/**
 * Worth retrying (for an idempotent call): connection errors and 502/503/504
 * (all mapped to DOWNSTREAM_UNAVAILABLE) and timeouts. Never 4xx, 500 (a bug
 * answers the same way twice), an open circuit or a full bulkhead (retrying
 * would add the load those exist to shed).
 */
export function isRetryable({ error, deadlineCut }: Omit<AttemptFailure, 'sent'>): boolean {
  if (!(error instanceof DownstreamError)) return false
  if (error.code === 'DOWNSTREAM_UNAVAILABLE') return true
  return error.code === 'DOWNSTREAM_TIMEOUT' && !deadlineCut
}

/** The metrics' and traces' name for how a failed attempt ended. */
export function clientOutcomeOf(error: DownstreamError): ClientOutcome {
  switch (error.code) {
    case 'DOWNSTREAM_TIMEOUT':
      return 'timeout'
    case 'DOWNSTREAM_CIRCUIT_OPEN':
      return 'circuit_open'
    case 'DOWNSTREAM_OVERLOADED':
      return 'overloaded'
    default:
      return 'error'
  }
}
