import type { FastifyBaseLogger } from 'fastify'
import type { ServiceName } from '../../config/services.js'
import type { DownstreamError } from '../errors.js'
import { fullJitterDelayMs } from './backoff.js'
import { isRetryable } from './outcome.js'
import { logDecision } from './policy-log.js'
import type { ServicePolicy } from './service-policy.js'

/** The service a call goes to, with its shared policies. */
export interface RetryingCaller {
  readonly service: ServiceName
  readonly policy: ServicePolicy
  /** Source of backoff jitter, in [0, 1). */
  readonly random: () => number
}

/** What a call knows when an attempt has failed and another may follow. */
export interface FailedAttempt {
  readonly error: DownstreamError
  /** The retry being considered, from 1. */
  readonly retryCount: number
  /** The attempt's limit was set by the request deadline (see AttemptFailure.deadlineCut). */
  readonly deadlineCut: boolean
  /** When the call's time runs out, on the policy's clock (ms). */
  readonly callEnd: number
  /** The call already holds a retry-budget token: it takes one at its first retry and keeps it to the end. */
  readonly holdsToken: boolean
  /** For the log line. */
  readonly path: string
}

/**
 * Delay in ms before retry number `retryCount`, or null when the call should
 * fail with `error` now: the error is not worth retrying, too little time is
 * left for the retry to succeed, or the service's retry budget is spent. When
 * it answers a delay and the call held no token, it has taken one for the call.
 * Every decision is logged with the service and request id.
 */
export function retryDelayMs(caller: RetryingCaller, log: FastifyBaseLogger, question: FailedAttempt): number | null {
  const { policy, service, random } = caller
  const { error } = question
  if (!isRetryable({ error, deadlineCut: question.deadlineCut })) return null
  const delayMs = fullJitterDelayMs(question.retryCount - 1, policy.retry, random)
  const leftAfterDelay = question.callEnd - policy.now() - delayMs
  // A retry with less time than the service usually needs would most likely be cut off: load for nothing.
  const medianMs = policy.medianLatencyMs() ?? 0
  if (leftAfterDelay <= medianMs) {
    logDecision(log, service, 'retry_skipped', { leftMs: Math.round(leftAfterDelay), medianMs: Math.round(medianMs) })
    return null
  }
  if (!question.holdsToken && !policy.retryBudget.tryAcquire()) {
    policy.counts.budgetRefusals += 1
    logDecision(log, service, 'retry_denied', { ...policy.retryBudget.snapshot() })
    return null
  }
  logDecision(log, service, 'retry', { retry: question.retryCount, delayMs: Math.round(delayMs), code: error.code, path: question.path })
  return delayMs
}
