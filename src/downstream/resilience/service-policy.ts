import type { FastifyBaseLogger } from 'fastify'
import type { ServiceName } from '../../config/services.js'
import { CLIENT_OUTCOMES, NO_CLIENT_METER, type ClientMeter, type ClientOutcome } from '../../telemetry/outcomes.js'
import { DownstreamError } from '../errors.js'
import type { BackoffOptions } from './backoff.js'
import { createBulkhead, type Bulkhead } from './bulkhead.js'
import { createGradientLimit, type GradientLimitOptions } from './gradient-limit.js'
import { createCircuitBreaker, type BreakerOptions, type BreakerState, type CircuitBreaker } from './circuit-breaker.js'
import { createLatencyReservoir, type LatencyReservoir } from './latency-reservoir.js'
import { logDecision } from './policy-log.js'
import { createRetryBudget, type RetryBudget } from './retry-budget.js'
import { createSlidingWindow, type SlidingWindow } from './sliding-window.js'

export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt, for idempotent (GET) calls only. @default 1 */
  readonly maxRetries: number
  /** @see RetryBudgetOptions.ratio @default 0.2 */
  readonly budgetRatio: number
  /** @see RetryBudgetOptions.minConcurrency @default 3 */
  readonly minConcurrency: number
}

export const DEFAULT_RETRY: RetryOptions = Object.freeze({ maxRetries: 1, baseMs: 25, capMs: 250, budgetRatio: 0.2, minConcurrency: 3 })

export interface ServicePolicyOptions {
  readonly service: ServiceName
  /** @default DEFAULT_RETRY */
  readonly retry?: undefined | RetryOptions
  /** Breaker thresholds; see BreakerOptions for each default. */
  readonly breaker?: undefined | Omit<BreakerOptions, 'now' | 'onTransition'>
  /** Concurrent calls. @default 25 */
  readonly bulkheadConcurrency?: undefined | number
  /** Calls in flight adapted to the service's latency (Gradient2); when unset, `bulkheadConcurrency` caps them. */
  readonly adaptiveLimit?: undefined | Omit<GradientLimitOptions, 'now'>
  /** Calls waiting for a slot. @default 50 */
  readonly bulkheadQueue?: undefined | number
  /** Where breaker transitions are logged (the app logger). Transitions are not logged without it. */
  readonly log?: undefined | FastifyBaseLogger
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: undefined | (() => number)
  /** Where each attempt's outcome and duration goes (metrics). @default none */
  readonly meter?: undefined | ClientMeter
}

/** Counts since start-up, read by /metrics, the dashboard and /health/ready alike. */
export interface PolicyCounts {
  /** Attempts by outcome (each retry is one attempt). */
  readonly attempts: Record<ClientOutcome, number>
  retries: number
  /** Retries the retry budget refused. */
  budgetRefusals: number
  /** Breaker state changes, by the state entered. */
  readonly transitions: Record<BreakerState, number>
}

/** One service's numbers as /health/ready shows them. */
export interface ServiceHealth {
  readonly breaker: BreakerState
  /** Failed / completed attempts over the last 10 s; null when there were none. */
  readonly errorRatio: number | null
  readonly calls: number
  /** Over the last 1,024 attempts that reached the service; null before the first. */
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null }
  readonly inFlight: number
  readonly queued: number
  /** Calls allowed in flight now (adaptive or fixed). */
  readonly limit: number
  readonly retriesInFlight: number
}

/** The per-service state every call of that service shares: breaker, bulkhead, retry budget and stats. */
export interface ServicePolicy {
  readonly service: ServiceName
  readonly retry: RetryOptions
  readonly breaker: CircuitBreaker
  readonly bulkhead: Bulkhead
  readonly retryBudget: RetryBudget
  readonly now: () => number
  readonly counts: PolicyCounts
  /** Counts an attempt's outcome and reports its duration to the meter. */
  attemptEnded(outcome: ClientOutcome, durationMs: number): void
  /** Records an attempt that reached the service (latency in ms). */
  recordAttempt(outcome: 'success' | 'failure', latencyMs: number): void
  /** Median latency of recent attempts, in ms; null before the first. */
  medianLatencyMs(): number | null
  health(): ServiceHealth
}

/** Readiness speaks of the last 10 s whatever the breaker window is. */
const STATS_WINDOW_MS = 10_000

const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10)

export function createServicePolicy(options: ServicePolicyOptions): ServicePolicy {
  const { service, log } = options
  const retry = options.retry ?? DEFAULT_RETRY
  if (!Number.isInteger(retry.maxRetries) || retry.maxRetries < 0) {
    throw new TypeError(`createServicePolicy(${service}): retry.maxRetries must be an integer >= 0, got ${String(retry.maxRetries)}`)
  }
  if (!(retry.baseMs > 0 && retry.capMs >= retry.baseMs)) {
    throw new TypeError(`createServicePolicy(${service}): need 0 < retry.baseMs <= retry.capMs, got ${retry.baseMs} and ${retry.capMs}`)
  }
  const now = options.now ?? (() => performance.now())
  const meter = options.meter ?? NO_CLIENT_METER
  const counts: PolicyCounts = {
    attempts: Object.fromEntries(CLIENT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<ClientOutcome, number>,
    retries: 0,
    budgetRefusals: 0,
    transitions: { closed: 0, open: 0, 'half-open': 0 },
  }
  const breaker = createCircuitBreaker({
    ...options.breaker,
    now,
    onTransition: ({ from, to, successes, failures, requestId }) => {
      counts.transitions[to] += 1
      if (log === undefined) return
      const decision = to === 'open' ? 'breaker_open' : to === 'half-open' ? 'breaker_half_open' : 'breaker_closed'
      logDecision(log, service, decision, { reqId: requestId, from, successes, failures })
    },
  })
  const bulkhead = createBulkhead({
    concurrency: options.bulkheadConcurrency,
    limit: options.adaptiveLimit === undefined ? undefined : createGradientLimit({ ...options.adaptiveLimit, now }),
    now,
    queueSize: options.bulkheadQueue,
    rejection: () => new DownstreamError('DOWNSTREAM_OVERLOADED', service, `${service} service is overloaded, call rejected`),
  })
  const retryBudget = createRetryBudget({ ratio: retry.budgetRatio, minConcurrency: retry.minConcurrency })
  const outcomes: SlidingWindow = createSlidingWindow({ windowMs: STATS_WINDOW_MS, now })
  const latency: LatencyReservoir = createLatencyReservoir()

  return {
    service,
    retry,
    breaker,
    bulkhead,
    retryBudget,
    now,
    counts,
    attemptEnded(outcome, durationMs) {
      counts.attempts[outcome] += 1
      meter.attempt(outcome, durationMs / 1_000)
    },
    recordAttempt(outcome, latencyMs) {
      outcomes.record(outcome)
      latency.record(latencyMs)
    },
    medianLatencyMs: () => latency.percentile(0.5),
    health() {
      const { successes, failures } = outcomes.counts()
      const calls = successes + failures
      return {
        breaker: breaker.state(),
        errorRatio: calls === 0 ? null : Math.round((failures / calls) * 1_000) / 1_000,
        calls,
        latencyMs: { p50: round(latency.percentile(0.5)), p99: round(latency.percentile(0.99)) },
        inFlight: bulkhead.inFlight,
        queued: bulkhead.queued,
        limit: bulkhead.limit,
        retriesInFlight: retryBudget.snapshot().retriesInFlight,
      }
    },
  }
}
