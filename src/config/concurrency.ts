import { z } from 'zod'
import type { ServiceConfig } from './downstream.js'
import { int } from './env-fields.js'
import { SERVICE_NAMES, type ServiceName } from './services.js'

// How many calls each service may have in flight (docs/resilience.md, "Concurrency limits").

export const concurrencyVars = {
  /**
   * adaptive: the limit follows the service's latency (Gradient2), from the pool
   * size down to the minimum as the service slows; fixed: DOWNSTREAM_BULKHEAD_CONCURRENCY.
   */
  DOWNSTREAM_CONCURRENCY: z.enum(['adaptive', 'fixed']).default('adaptive'),
  /** Adaptive: the limit never falls below this. */
  DOWNSTREAM_CONCURRENCY_MIN_LIMIT: int(1, 10_000).default(10),
  /** Adaptive: the limit never rises above this; unset: the service's pool connections. */
  DOWNSTREAM_CONCURRENCY_MAX_LIMIT: int(1, 10_000).optional(),
  /** Adaptive: the limit at start; unset: the maximum, so nothing is held back before latency says so. */
  DOWNSTREAM_CONCURRENCY_INITIAL_LIMIT: int(1, 10_000).optional(),
}

type ConcurrencyEnv = z.output<z.ZodObject<typeof concurrencyVars>>

/** One service's adaptive limit bounds. */
export interface AdaptiveLimitConfig {
  readonly minLimit: number
  readonly maxLimit: number
  readonly initialLimit: number
}

export interface ConcurrencyConfig {
  readonly mode: 'adaptive' | 'fixed'
  /** Per service; read only in adaptive mode. */
  readonly services: Readonly<Record<ServiceName, AdaptiveLimitConfig>>
}

export function concurrencyConfig(e: ConcurrencyEnv, services: Readonly<Record<ServiceName, ServiceConfig>>): ConcurrencyConfig {
  const perService = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const maxLimit = e.DOWNSTREAM_CONCURRENCY_MAX_LIMIT ?? services[name].connections
      // A pool smaller than the minimum lowers the minimum rather than failing the boot.
      const minLimit = Math.min(e.DOWNSTREAM_CONCURRENCY_MIN_LIMIT, maxLimit)
      const initialLimit = Math.min(maxLimit, Math.max(minLimit, e.DOWNSTREAM_CONCURRENCY_INITIAL_LIMIT ?? maxLimit))
      return [name, { minLimit, maxLimit, initialLimit }]
    }),
  ) as Record<ServiceName, AdaptiveLimitConfig>
  return { mode: e.DOWNSTREAM_CONCURRENCY, services: perService }
}
