import { z } from 'zod'
import { BffError } from '../errors.js'
import type { ServiceConfig } from './downstream.js'
import { int, optionalInt, ratio } from './env-fields.js'
import { SERVICE_NAMES, type ServiceName } from './services.js'

// Deadlines, retries, breakers, bulkheads (docs/resilience.md).

/** Per-service overrides of the DOWNSTREAM_* resilience defaults; unset means the default applies. */
const resilienceServiceVars = Object.fromEntries(
  SERVICE_NAMES.flatMap((name) => {
    const prefix = name.toUpperCase()
    return [
      [`${prefix}_ATTEMPT_TIMEOUT_MS`, optionalInt(1, 60_000)],
      [`${prefix}_RETRY_MAX`, optionalInt(0, 5)],
      [`${prefix}_BULKHEAD_CONCURRENCY`, optionalInt(1, 10_000)],
      [`${prefix}_BULKHEAD_QUEUE`, optionalInt(0, 100_000)],
    ]
  }),
) as Record<`${Uppercase<ServiceName>}_${'ATTEMPT_TIMEOUT_MS' | 'RETRY_MAX' | 'BULKHEAD_CONCURRENCY' | 'BULKHEAD_QUEUE'}`, ReturnType<typeof optionalInt>>

export const resilienceVars = {
  /** Whole GraphQL request, in ms: every downstream call gets min(its timeout, time left). */
  REQUEST_DEADLINE_MS: int(1, 600_000).default(2_000),
  /** One attempt of a call, in ms; unset: the call's whole timeout (then timeouts leave no room to retry). */
  DOWNSTREAM_ATTEMPT_TIMEOUT_MS: int(1, 60_000).optional(),
  /** Retries of an idempotent (GET) call on connection errors, 502/503/504 and timeouts. */
  DOWNSTREAM_RETRY_MAX: int(0, 5).default(1),
  /** Backoff ceiling of the first retry in ms (full jitter: random(0, min(cap, base * 2^n))). */
  DOWNSTREAM_RETRY_BASE_MS: int(1, 10_000).default(25),
  DOWNSTREAM_RETRY_CAP_MS: int(1, 60_000).default(250),
  /** Retry budget: retries in flight <= max(MIN_CONCURRENCY, RATIO * active calls), per service (Envoy). */
  DOWNSTREAM_RETRY_BUDGET_RATIO: ratio.default(0.2),
  DOWNSTREAM_RETRY_MIN_CONCURRENCY: int(0, 10_000).default(3),
  /** The circuit opens at this failure share over the window... */
  DOWNSTREAM_BREAKER_FAILURE_RATIO: ratio.refine((v) => v > 0, 'must be > 0').default(0.5),
  /** ...once at least this many calls were made in it (Hystrix: 50 % over >= 20 calls in 10 s). */
  DOWNSTREAM_BREAKER_MIN_CALLS: int(1, 1_000_000).default(20),
  DOWNSTREAM_BREAKER_WINDOW_MS: int(100, 600_000).default(10_000),
  /** Open time before probe calls are let through, in ms. */
  DOWNSTREAM_BREAKER_COOLDOWN_MS: int(1, 600_000).default(5_000),
  /** Probes at once in half-open; this many successes close the circuit. */
  DOWNSTREAM_BREAKER_HALF_OPEN_PROBES: int(1, 1_000).default(3),
  /** Concurrent calls per service; beyond, calls queue. */
  DOWNSTREAM_BULKHEAD_CONCURRENCY: int(1, 10_000).default(25),
  /** Queued calls per service; beyond, calls fail at once with DOWNSTREAM_OVERLOADED. */
  DOWNSTREAM_BULKHEAD_QUEUE: int(0, 100_000).default(50),
  /** Services whose open circuit makes /health/ready answer 503 (comma list, or "none"). */
  DOWNSTREAM_CORE_SERVICES: z
    .string()
    .transform((list) => (list.trim() === 'none' ? [] : list.split(',').map((name) => name.trim())))
    .pipe(z.array(z.enum(SERVICE_NAMES)))
    .default(['users']),
  ...resilienceServiceVars,
}

type ResilienceEnv = z.output<z.ZodObject<typeof resilienceVars>>

/** Per-service resilience settings, after defaults and overrides. */
export interface ServiceResilienceConfig {
  /** Limit of one attempt, in ms; at most the service's timeoutMs. */
  readonly attemptTimeoutMs: number
  /** Retries of an idempotent (GET) call. */
  readonly maxRetries: number
  readonly bulkheadConcurrency: number
  readonly bulkheadQueue: number
}

export interface ResilienceConfig {
  /** Whole GraphQL request, in ms. */
  readonly requestDeadlineMs: number
  /** Services whose open circuit makes the BFF not ready (503). */
  readonly coreServices: readonly ServiceName[]
  readonly retry: {
    readonly baseMs: number
    readonly capMs: number
    readonly budgetRatio: number
    readonly minConcurrency: number
  }
  readonly breaker: {
    readonly failureRatio: number
    readonly minCalls: number
    readonly windowMs: number
    readonly cooldownMs: number
    readonly halfOpenProbes: number
  }
  readonly services: Readonly<Record<ServiceName, ServiceResilienceConfig>>
}

export function resilienceConfig(
  e: ResilienceEnv,
  services: Readonly<Record<ServiceName, ServiceConfig>>,
): ResilienceConfig {
  if (e.DOWNSTREAM_RETRY_CAP_MS < e.DOWNSTREAM_RETRY_BASE_MS) {
    throw new BffError(
      'BFF_ERR_CONFIG_INVALID',
      `Invalid configuration: DOWNSTREAM_RETRY_CAP_MS (${e.DOWNSTREAM_RETRY_CAP_MS}) must be >= DOWNSTREAM_RETRY_BASE_MS (${e.DOWNSTREAM_RETRY_BASE_MS})`,
    )
  }
  const perService = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const prefix = name.toUpperCase() as Uppercase<ServiceName>
      const attempt = e[`${prefix}_ATTEMPT_TIMEOUT_MS`] ?? e.DOWNSTREAM_ATTEMPT_TIMEOUT_MS ?? services[name].timeoutMs
      const settings: ServiceResilienceConfig = {
        attemptTimeoutMs: Math.min(attempt, services[name].timeoutMs),
        maxRetries: e[`${prefix}_RETRY_MAX`] ?? e.DOWNSTREAM_RETRY_MAX,
        bulkheadConcurrency: e[`${prefix}_BULKHEAD_CONCURRENCY`] ?? e.DOWNSTREAM_BULKHEAD_CONCURRENCY,
        bulkheadQueue: e[`${prefix}_BULKHEAD_QUEUE`] ?? e.DOWNSTREAM_BULKHEAD_QUEUE,
      }
      return [name, settings]
    }),
  ) as Record<ServiceName, ServiceResilienceConfig>
  return {
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    coreServices: [...new Set(e.DOWNSTREAM_CORE_SERVICES)],
    retry: {
      baseMs: e.DOWNSTREAM_RETRY_BASE_MS,
      capMs: e.DOWNSTREAM_RETRY_CAP_MS,
      budgetRatio: e.DOWNSTREAM_RETRY_BUDGET_RATIO,
      minConcurrency: e.DOWNSTREAM_RETRY_MIN_CONCURRENCY,
    },
    breaker: {
      failureRatio: e.DOWNSTREAM_BREAKER_FAILURE_RATIO,
      minCalls: e.DOWNSTREAM_BREAKER_MIN_CALLS,
      windowMs: e.DOWNSTREAM_BREAKER_WINDOW_MS,
      cooldownMs: e.DOWNSTREAM_BREAKER_COOLDOWN_MS,
      halfOpenProbes: e.DOWNSTREAM_BREAKER_HALF_OPEN_PROBES,
    },
    services: perService,
  }
}
