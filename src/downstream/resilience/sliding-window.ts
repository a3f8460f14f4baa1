/**
 * Outcome counts over the last `windowMs`, kept in `buckets` time slices.
 *
 * Hand-rolled rather than cockatiel's SamplingBreaker: that one rotates a
 * single slice per recorded call, so after an idle gap the older slices keep
 * counting (19 failures, a minute of silence and one more failure open it),
 * which breaks "≥ N calls within the window". Here a slice is valid only while
 * its start lies inside the window, whatever happened in between.
 */
export interface SlidingWindowOptions {
  /** Length of the window in ms. */
  readonly windowMs: number
  /** Time slices; more slices make expiry smoother. @default 10 */
  readonly buckets?: undefined | number
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: undefined | (() => number)
}

export interface WindowCounts {
  readonly successes: number
  readonly failures: number
}

export interface SlidingWindow {
  record(outcome: 'success' | 'failure'): void
  /** Counts of the calls recorded within the last `windowMs` (to the precision of one slice). */
  counts(): WindowCounts
  reset(): void
}

interface Bucket {
  /** Index of the time slice (floor(now / sliceMs)) this bucket holds, -1 when empty. */
  slice: number
  successes: number
  failures: number
}

export function createSlidingWindow(options: SlidingWindowOptions): SlidingWindow {
  const { windowMs } = options
  const size = options.buckets ?? 10
  const now = options.now ?? (() => performance.now())
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw new TypeError(`createSlidingWindow: windowMs must be a positive number, got ${String(windowMs)}`)
  }
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`createSlidingWindow: buckets must be a positive integer, got ${String(size)}`)
  const sliceMs = windowMs / size
  const buckets: Bucket[] = Array.from({ length: size }, () => ({ slice: -1, successes: 0, failures: 0 }))

  const currentSlice = (): number => Math.floor(now() / sliceMs)

  return {
    record(outcome) {
      const slice = currentSlice()
      const bucket = buckets[slice % size] as Bucket
      if (bucket.slice !== slice) {
        bucket.slice = slice
        bucket.successes = 0
        bucket.failures = 0
      }
      if (outcome === 'success') bucket.successes += 1
      else bucket.failures += 1
    },
    counts() {
      const oldest = currentSlice() - size + 1
      let successes = 0
      let failures = 0
      for (const bucket of buckets) {
        if (bucket.slice >= oldest) {
          successes += bucket.successes
          failures += bucket.failures
        }
      }
      return { successes, failures }
    },
    reset() {
      for (const bucket of buckets) bucket.slice = -1
    },
  }
}
