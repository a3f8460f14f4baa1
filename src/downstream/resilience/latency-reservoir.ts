/**
 * The last `capacity` latencies in a ring, with percentiles computed on
 * demand. A bounded window of recent samples is what readiness and the retry
 * rule want ("how is the service doing now"); an all-time HDR histogram would
 * need decay on top to say the same, and adds a dependency for no gain here.
 */
export interface LatencyReservoir {
  record(ms: number): void
  /** q in [0, 1]; null before the first sample. */
  percentile(q: number): number | null
  readonly size: number
}

/** Re-sorting is skipped until this many samples arrived since the last sort. */
const RESORT_EVERY = 32

export function createLatencyReservoir(capacity = 1_024): LatencyReservoir {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new TypeError(`createLatencyReservoir: capacity must be a positive integer, got ${String(capacity)}`)
  }
  const ring = new Float64Array(capacity)
  let written = 0
  let sorted: Float64Array | null = null
  let sortedAt = 0

  return {
    get size() {
      return Math.min(written, capacity)
    },
    record(ms) {
      ring[written % capacity] = ms
      written += 1
    },
    percentile(q) {
      const size = Math.min(written, capacity)
      if (size === 0) return null
      // The retry rule reads the median per retry decision; a slightly stale sort is fine there.
      if (sorted === null || written - sortedAt >= RESORT_EVERY || sorted.length !== size) {
        sorted = ring.slice(0, size).sort()
        sortedAt = written
      }
      const index = Math.min(size - 1, Math.max(0, Math.ceil(q * size) - 1))
      return sorted[index] as number
    },
  }
}
