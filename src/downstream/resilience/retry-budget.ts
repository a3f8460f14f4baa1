export interface RetryBudgetOptions {
  /** Retries in flight allowed as a share of active calls. @default 0.2 (Envoy budget_percent 20 %) */
  readonly ratio?: undefined | number
  /** Retries in flight always allowed, however few calls are active. @default 3 (Envoy min_retry_concurrency) */
  readonly minConcurrency?: undefined | number
}

export interface RetryBudgetSnapshot {
  readonly active: number
  readonly retriesInFlight: number
  /** Retries in flight the budget allows right now. */
  readonly limit: number
}

/**
 * Envoy's retry budget for one service: retries in flight ≤ max(minConcurrency,
 * ratio × active calls). A call counts as active from subscription to end; it
 * holds a retry token from the moment its first retry is granted to its end
 * (backoff included), so at most one token per call. When every call fails,
 * the service sees about (1 + ratio) × its normal traffic instead of
 * (1 + maxRetries) ×.
 */
export interface RetryBudget {
  begin(): void
  end(): void
  /** True (and a token is taken) when one more retry fits in the budget. */
  tryAcquire(): boolean
  release(): void
  snapshot(): RetryBudgetSnapshot
}

/** The budget arithmetic on its own, for tests and docs. */
export function retryLimit(active: number, ratio: number, minConcurrency: number): number {
  return Math.max(minConcurrency, ratio * active)
}

export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = options.ratio ?? 0.2
  const minConcurrency = options.minConcurrency ?? 3
  if (!(ratio >= 0 && ratio <= 1)) throw new TypeError(`createRetryBudget: ratio must be in [0, 1], got ${String(ratio)}`)
  if (!Number.isInteger(minConcurrency) || minConcurrency < 0) {
    throw new TypeError(`createRetryBudget: minConcurrency must be an integer >= 0, got ${String(minConcurrency)}`)
  }
  let active = 0
  let retries = 0
  return {
    begin() {
      active += 1
    },
    end() {
      active -= 1
    },
    tryAcquire() {
      // "+ 1 ≤ limit", not "< limit": with 61 active and 20 %, 12 retries fit, not 13.
      if (retries + 1 > retryLimit(active, ratio, minConcurrency)) return false
      retries += 1
      return true
    },
    release() {
      retries -= 1
    },
    snapshot() {
      return { active, retriesInFlight: retries, limit: retryLimit(active, ratio, minConcurrency) }
    },
  }
}
