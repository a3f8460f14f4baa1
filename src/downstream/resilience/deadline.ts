import type { ServiceName } from '../../config/services.js'
import { DownstreamError } from '../errors.js'

/**
 * The moment a GraphQL request must have answered by. Every downstream leg of
 * the request inherits it: a leg gets min(its own timeout, time left).
 */
export interface Deadline {
  /** On the `performance.now()` clock (monotonic, ms), so wall-clock jumps do not move it. */
  readonly expiresAt: number
}

export function createDeadline(budgetMs: number, now: () => number = () => performance.now()): Deadline {
  if (!Number.isFinite(budgetMs) || budgetMs <= 0) {
    throw new TypeError(`createDeadline: budgetMs must be a positive number, got ${String(budgetMs)}`)
  }
  return { expiresAt: now() + budgetMs }
}

/** A call (or attempt) that ran out its own time limit: the service was too slow. */
export function timeLimitError(service: ServiceName, limitMs: number): DownstreamError {
  return new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service did not answer within ${limitMs} ms`)
}

/** A call stopped because the request's deadline passed first: says little about the service. */
export function deadlineError(service: ServiceName): DownstreamError {
  return new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service call cut off by the request deadline`)
}
