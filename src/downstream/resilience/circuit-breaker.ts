import type { BreakerState } from '../../lib/breaker-state.js'
import { createSlidingWindow, type SlidingWindow } from './sliding-window.js'

export type { BreakerState }

/** What a call reports back: `ignore` for outcomes that say nothing about the service (client abort, deadline cut, shed). */
export type CallOutcome = 'success' | 'failure' | 'ignore'

export interface BreakerOptions {
  /** Failure share (0..1] over the window at which the circuit opens. @default 0.5 */
  readonly failureRatio?: undefined | number
  /** Calls needed within the window before the ratio is trusted. @default 20 */
  readonly minCalls?: undefined | number
  /** Sliding window length in ms. @default 10_000 */
  readonly windowMs?: undefined | number
  /** Time open before probes are let through, in ms. @default 5_000 (Hystrix sleepWindow) */
  readonly cooldownMs?: undefined | number
  /** Probes allowed at once in half-open; this many successes in a row close the circuit. @default 3 */
  readonly halfOpenProbes?: undefined | number
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: undefined | (() => number)
  /** Called once per state change, with the request id of the call that caused it. */
  readonly onTransition?: undefined | ((transition: BreakerTransition) => void)
}

export interface BreakerTransition {
  readonly from: BreakerState
  readonly to: BreakerState
  /** Window counts when the change happened (before a reset). */
  readonly successes: number
  readonly failures: number
  readonly requestId: string | null
}

/** Proof that a call was admitted; hand it back to `record` exactly once. */
export interface BreakerPermit {
  readonly probe: boolean
  /** @internal outcomes of permits from an earlier state are ignored */
  readonly generation: number
}

export interface CircuitBreaker {
  /**
   * The state as a caller would find it now: an open circuit whose cool-down
   * has passed reads `half-open` even before a probe arrives, so readiness
   * does not keep an instance out of rotation waiting for traffic that the
   * load balancer will never send.
   */
  state(): BreakerState
  /** Admits a call (null: fail fast, the service gets no traffic). */
  tryAcquire(requestId: string | null): BreakerPermit | null
  record(permit: BreakerPermit, outcome: CallOutcome, requestId: string | null): void
}

type Inner =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly until: number }
  | { readonly kind: 'half-open'; inFlight: number; successes: number }

function positive(name: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`createCircuitBreaker: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`)
  }
  return value
}

/**
 * Closed → open when failures/calls ≥ failureRatio with calls ≥ minCalls in
 * the window (Hystrix defaults); open → half-open after the cool-down; a probe
 * failure reopens, `halfOpenProbes` successes close and clear the window.
 */
export function createCircuitBreaker(options: BreakerOptions = {}): CircuitBreaker {
  const failureRatio = options.failureRatio ?? 0.5
  if (!(failureRatio > 0 && failureRatio <= 1)) {
    throw new TypeError(`createCircuitBreaker: failureRatio must be in (0, 1], got ${String(failureRatio)}`)
  }
  const minCalls = positive('minCalls', options.minCalls ?? 20, true)
  const cooldownMs = positive('cooldownMs', options.cooldownMs ?? 5_000, false)
  const probes = positive('halfOpenProbes', options.halfOpenProbes ?? 3, true)
  const now = options.now ?? (() => performance.now())
  const window: SlidingWindow = createSlidingWindow({ windowMs: positive('windowMs', options.windowMs ?? 10_000, false), now })
  let inner: Inner = { kind: 'closed' }
  let generation = 0

  function moveTo(next: Inner, requestId: string | null): void {
    const from = inner.kind
    const { successes, failures } = window.counts()
    inner = next
    generation += 1
    if (next.kind === 'closed') window.reset()
    options.onTransition?.({ from, to: next.kind, successes, failures, requestId })
  }

  const open = (requestId: string | null): void => moveTo({ kind: 'open', until: now() + cooldownMs }, requestId)

  return {
    state() {
      if (inner.kind === 'open' && now() >= inner.until) return 'half-open'
      return inner.kind
    },

    tryAcquire(requestId) {
      if (inner.kind === 'open') {
        if (now() < inner.until) return null
        moveTo({ kind: 'half-open', inFlight: 0, successes: 0 }, requestId)
      }
      if (inner.kind === 'half-open') {
        // Only as many probes as are still needed to close: the rest fail fast.
        if (inner.inFlight + inner.successes >= probes) return null
        inner.inFlight += 1
        return { probe: true, generation }
      }
      return { probe: false, generation }
    },

    record(permit, outcome, requestId) {
      if (permit.generation !== generation) return
      if (inner.kind === 'half-open') {
        inner.inFlight -= 1
        if (outcome === 'failure') open(requestId)
        else if (outcome === 'success') {
          inner.successes += 1
          if (inner.successes >= probes) moveTo({ kind: 'closed' }, requestId)
        }
        return
      }
      if (inner.kind !== 'closed' || outcome === 'ignore') return
      window.record(outcome)
      if (outcome === 'failure') {
        const { successes, failures } = window.counts()
        const calls = successes + failures
        if (calls >= minCalls && failures >= failureRatio * calls) open(requestId)
      }
    },
  }
}
