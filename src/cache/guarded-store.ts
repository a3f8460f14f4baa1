import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel'
import type { FastifyBaseLogger } from 'fastify'
import { BffError } from '../errors.js'
import type { BreakerState } from '../lib/breaker-state.js'
import type { Store } from './store.js'

/** A store call that failed, or was not made because the breaker is open. */
export class CacheUnavailableError extends BffError {
  /** True when the breaker refused the call: Redis was not contacted. */
  readonly bypassed: boolean

  constructor(operation: string, bypassed: boolean, cause: unknown) {
    super('BFF_ERR_CACHE_UNAVAILABLE', `cache ${operation} ${bypassed ? 'bypassed (breaker open)' : 'failed'}`, { cause })
    this.name = 'CacheUnavailableError'
    this.bypassed = bypassed
  }
}

export interface GuardedStoreOptions {
  readonly inner: Store
  /**
   * Hard limit per store call (ms), whatever the client does inside it
   * (cluster redirections and retries included). @default 100
   */
  readonly timeoutMs?: undefined | number
  /** Consecutive failures that open the breaker. @default 3 */
  readonly failureThreshold?: undefined | number
  /** Time (ms) the breaker stays open before one probe call is let through. @default 1_000 */
  readonly halfOpenAfterMs?: undefined | number
  /**
   * How long (ms) the breaker must stay closed after an outage before the
   * cache counts as recovered (the log line, `degraded()`). With one Redis
   * Cluster master down, a probe that lands on a live master closes the
   * breaker until the next calls to the dead one open it again; without a
   * hold every such flap would be logged as a recovery and a new outage.
   * @default 2 × halfOpenAfterMs
   */
  readonly recoveryHoldMs?: undefined | number
  readonly log: FastifyBaseLogger
  /** Called each time the breaker closes after an outage (the store answered again). */
  readonly onRecover?: undefined | (() => void)
}

export interface GuardedStore extends Store {
  /** closed: the store is used; open: bypassed; half-open: one probe in flight. */
  breakerState(): BreakerState
  /** From the breaker's first opening until it has stayed closed for `recoveryHoldMs`. */
  degraded(): boolean
  /**
   * Another call to the same Redis (the L1 invalidation broadcast) under the
   * same per-call limit and breaker: it fails as fast as the store calls do
   * during an outage, and its failures count towards opening the breaker.
   * Rejects with CacheUnavailableError.
   */
  run<T>(operation: string, call: () => Promise<T>): Promise<T>
}

const STATES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`createGuardedStore: ${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}

/**
 * Rejects when `promise` has not settled `timeoutMs` after the call. Lag-tolerant:
 * timers run before I/O callbacks in an event-loop turn, so when the loop is
 * busy (a saturated BFF) a reply can already sit in the socket when the timer
 * fires. One setImmediate lets the poll phase deliver it first, so our own
 * event-loop lag is not blamed on Redis (and does not open the breaker).
 */
function withDeadline<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return
        settled = true
        reject(new Error(`cache ${operation} took longer than ${timeoutMs} ms`))
      })
    }, timeoutMs)
    promise.then(
      (value) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * Puts a deadline and a circuit breaker around a store. While Redis is down
 * or frozen, calls fail within `timeoutMs`; after `failureThreshold` of them
 * the breaker opens and calls are refused at once (Redis is not contacted),
 * so an outage costs queries nothing. A probe every `halfOpenAfterMs` closes
 * it again when Redis answers. Degradation and recovery are logged once each
 * per outage, however often the breaker flaps during it.
 */
export function createGuardedStore(options: GuardedStoreOptions): GuardedStore {
  const { inner, log, onRecover } = options
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 100)
  const halfOpenAfterMs = positive('halfOpenAfterMs', options.halfOpenAfterMs ?? 1_000)
  const recoveryHoldMs = positive('recoveryHoldMs', options.recoveryHoldMs ?? 2 * halfOpenAfterMs)
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(positive('failureThreshold', options.failureThreshold ?? 3)),
  })
  // cockatiel fires onBreak again after every failed probe; an outage is logged once.
  let degraded = false
  let holding: NodeJS.Timeout | null = null
  const stopHolding = (): void => {
    if (holding !== null) clearTimeout(holding)
    holding = null
  }
  breaker.onBreak((reason) => {
    stopHolding()
    if (degraded) return
    degraded = true
    log.warn({ err: 'error' in reason ? reason.error : undefined, backend: inner.backend }, 'cache degraded: store unavailable, bypassing it')
  })
  breaker.onReset(() => {
    if (!degraded) return
    // Replay missed invalidations as soon as the store answers, even if it fails again later.
    onRecover?.()
    if (holding !== null) return
    holding = setTimeout(() => {
      holding = null
      degraded = false
      log.info({ backend: inner.backend }, 'cache recovered: store available again')
    }, recoveryHoldMs)
    holding.unref()
  })

  const guard = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.execute(() => withDeadline(call(), timeoutMs, operation))
    } catch (error) {
      throw new CacheUnavailableError(operation, error instanceof BrokenCircuitError, error)
    }
  }

  return {
    backend: inner.backend,
    getMany: (addresses) => guard('read', () => inner.getMany(addresses)),
    setMany: (writes) => guard('write', () => inner.setMany(writes)),
    invalidate: (keys) => guard('invalidate', () => inner.invalidate(keys)),
    tryLeases: (keys, ttlMs) => guard('lease', () => inner.tryLeases(keys, ttlMs)),
    // A namespace flush scans the whole keyspace: it gets no deadline, only the breaker.
    invalidatePrefix: async (prefix) => {
      try {
        return await breaker.execute(() => inner.invalidatePrefix(prefix))
      } catch (error) {
        throw new CacheUnavailableError('flush', error instanceof BrokenCircuitError, error)
      }
    },
    close: async () => {
      stopHolding()
      await inner.close()
    },
    breakerState: () => STATES[breaker.state],
    degraded: () => degraded,
    run: guard,
  }
}
