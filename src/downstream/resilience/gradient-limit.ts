/** How many calls a service may have in flight: fixed, or adapted from their latency. */
export interface ConcurrencyLimit {
  /** Calls allowed in flight now (an integer >= 1). */
  readonly current: number
  /** One finished call that reached the service: its round trip in ms, and the calls in flight when it was sent (itself included). */
  sample(rttMs: number, inFlight: number): void
}

export function createFixedLimit(limit: number): ConcurrencyLimit {
  return {
    current: limit,
    sample() {},
  }
}

export interface GradientLimitOptions {
  /** @default 10 */
  readonly minLimit?: undefined | number
  /** @default 64 (the default pool size) */
  readonly maxLimit?: undefined | number
  /** @default maxLimit: calls are not held back until latency says so */
  readonly initialLimit?: undefined | number
  /** Latency may grow this many times over its long-run average before the limit shrinks. @default 1.5 */
  readonly tolerance?: undefined | number
  /**
   * Share of each new estimate taken into the limit. @default 0.2 (Netflix).
   * Measured from the BFF, 0.5 on the way down cut a service slowed to 500 ms
   * twice as fast, but also cut healthy services at saturation, where the
   * BFF's own event-loop lag is in every round trip, into refusals.
   */
  readonly smoothing?: undefined | number
  /** A window of samples closes after this many ms... @default 100 */
  readonly windowMs?: undefined | number
  /** ...once it holds at least this many samples. @default 10 */
  readonly windowSamples?: undefined | number
  /** Windows averaged (exponentially) into the long-run latency. @default 600 */
  readonly longWindows?: undefined | number
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: undefined | (() => number)
}

function check(name: string, value: number, ok: boolean): number {
  if (!ok) throw new TypeError(`createGradientLimit: ${name} out of range, got ${String(value)}`)
  return value
}

/**
 * Netflix concurrency-limits' Gradient2: the ratio of the long-run latency to
 * the latest one says whether a queue is building at the service. While it
 * holds (within `tolerance`) and the calls use at least half the limit, the
 * limit grows by a small headroom; when latency rises, it shrinks by up to a
 * tenth per window (the gradient's floor of one half, smoothed), never below
 * `minLimit`. A service that stays slow becomes
 * the new long-run normal and the limit grows back, as in the original.
 *
 * Unlike the original, samples are averaged per time window before they
 * move the limit: measured from the client, every call in flight during a
 * GC pause or a burst of the BFF's own work returns late together, and fed
 * one by one those would cut the limit many times for one pause.
 *
 * Hand-written: no maintained npm package implements these limits (the
 * reference implementations are Java, Go, Rust and Elixir).
 */
export function createGradientLimit(options: GradientLimitOptions = {}): ConcurrencyLimit {
  const minLimit = options.minLimit ?? 10
  const maxLimit = options.maxLimit ?? 64
  check('minLimit', minLimit, Number.isInteger(minLimit) && minLimit >= 1)
  check('maxLimit', maxLimit, Number.isInteger(maxLimit) && maxLimit >= minLimit)
  const initialLimit = options.initialLimit ?? maxLimit
  check('initialLimit', initialLimit, initialLimit >= minLimit && initialLimit <= maxLimit)
  const tolerance = check('tolerance', options.tolerance ?? 1.5, (options.tolerance ?? 1.5) >= 1)
  const smoothing = check('smoothing', options.smoothing ?? 0.2, (options.smoothing ?? 0.2) > 0 && (options.smoothing ?? 0.2) <= 1)
  const windowMs = check('windowMs', options.windowMs ?? 100, (options.windowMs ?? 100) >= 0)
  const windowSamples = check('windowSamples', options.windowSamples ?? 10, (options.windowSamples ?? 10) >= 1)
  const longWindows = check('longWindows', options.longWindows ?? 600, (options.longWindows ?? 600) >= 1)
  const now = options.now ?? (() => performance.now())
  const warmupWindows = 10

  let estimate = initialLimit
  let current = Math.floor(estimate)
  let longRtt = 0
  let longCount = 0
  let windowStart = now()
  let rttSum = 0
  let samples = 0
  let maxInFlight = 0

  function addLong(rtt: number): number {
    longCount += 1
    // A plain mean while there are few windows, then exponential smoothing over `longWindows`.
    longRtt = longCount <= warmupWindows ? longRtt + (rtt - longRtt) / longCount : longRtt + (rtt - longRtt) * (2 / (longWindows + 1))
    return longRtt
  }

  function update(shortRtt: number, inFlight: number): void {
    const long = addLong(shortRtt)
    // Back from a long slow spell: let the long-run latency fall faster than its smoothing would.
    if (long / shortRtt > 2) longRtt *= 0.95
    // Calls using less than half the limit say nothing about how many the service can take.
    if (inFlight < estimate / 2) return
    const gradient = Math.max(0.5, Math.min(1, (tolerance * long) / shortRtt))
    // Headroom added each window (Gradient2's queueSize): 4, or less for small limits so they can shrink.
    const next = estimate * gradient + Math.min(4, Math.sqrt(estimate))
    estimate = Math.max(minLimit, Math.min(maxLimit, estimate * (1 - smoothing) + next * smoothing))
    current = Math.max(1, Math.floor(estimate))
  }

  return {
    get current() {
      return current
    },
    sample(rttMs, inFlight) {
      rttSum += Math.max(rttMs, 0.001)
      samples += 1
      if (inFlight > maxInFlight) maxInFlight = inFlight
      const at = now()
      if (samples < windowSamples || at - windowStart < windowMs) return
      update(rttSum / samples, maxInFlight)
      windowStart = at
      rttSum = 0
      samples = 0
      maxInFlight = 0
    },
  }
}
