import { createFixedLimit, type ConcurrencyLimit } from './gradient-limit.js'

export interface BulkheadOptions {
  /** Calls running at once. @default 25 (resilience4j) */
  readonly concurrency?: undefined | number
  /** Calls running at once, moved by their latency; replaces `concurrency` when given. */
  readonly limit?: undefined | ConcurrencyLimit
  /** Monotonic clock in ms, for the round trips `limit` learns from. @default performance.now */
  readonly now?: undefined | (() => number)
  /** Calls waiting for a slot; beyond it calls are rejected at once. 0 disables queueing. @default 50 */
  readonly queueSize?: undefined | number
  /** The error a rejected call fails with. */
  readonly rejection: () => Error
}

/** A place in the bulkhead: a running slot, or a queue place until `onRun` is called. */
export interface BulkheadEntry {
  /** True once the entry holds a slot (at once when one was free). */
  readonly running: boolean
  /**
   * Gives the slot (or the queue place) back; idempotent. `measured`: the
   * call's round trip tells how the service copes (an answer or a timeout at
   * its full limit), so the adaptive limit learns from it.
   */
  release(measured?: boolean): void
}

export interface Bulkhead {
  readonly inFlight: number
  readonly queued: number
  /** Calls allowed in flight now. */
  readonly limit: number
  /**
   * Takes a slot if one is free (the entry comes back `running`, and `onRun`
   * is not called), else a queue place (`onRun` is called when a slot frees
   * up), else nothing: null means rejected.
   */
  enter(onRun: () => void): BulkheadEntry | null
  /** The rejection error, for callers of `enter`. */
  rejection(): Error
}

function count(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`createBulkhead: ${name} must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

const enum Phase {
  Queued,
  Running,
  Done,
}

/**
 * A concurrency cap (fixed, or adapted by a ConcurrencyLimit) with a bounded FIFO queue. Hand-rolled rather than
 * cockatiel's BulkheadPolicy: that one keeps a cancelled task in its queue
 * and, when it reaches the head, drops it without starting the next one, so a
 * live queued call waits with a slot free until some unrelated call finishes.
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const limit = options.limit ?? createFixedLimit(count('concurrency', options.concurrency ?? 25, 1))
  const now = options.now ?? (() => performance.now())
  const queueSize = count('queueSize', options.queueSize ?? 50, 0)
  // A Set keeps insertion order (FIFO) and deletes a cancelled entry in O(1).
  const queue = new Set<Entry>()
  let running = 0

  class Entry implements BulkheadEntry {
    phase: Phase
    readonly #onRun: () => void
    #startedAt = 0
    #inFlightAtStart = 0
    constructor(phase: Phase, onRun: () => void) {
      this.phase = phase
      this.#onRun = onRun
      if (phase === Phase.Running) this.#began()
    }
    #began(): void {
      this.#startedAt = now()
      this.#inFlightAtStart = running
    }
    get running(): boolean {
      return this.phase === Phase.Running
    }
    start(): void {
      this.phase = Phase.Running
      running += 1
      this.#began()
      this.#onRun()
    }
    release(measured = false): void {
      if (this.phase === Phase.Queued) queue.delete(this)
      else if (this.phase === Phase.Running) {
        this.phase = Phase.Done
        running -= 1
        if (measured) limit.sample(now() - this.#startedAt, this.#inFlightAtStart)
        drain()
      }
      this.phase = Phase.Done
    }
  }

  function drain(): void {
    while (running < limit.current && queue.size > 0) {
      const next = queue.values().next().value as Entry
      queue.delete(next)
      next.start()
    }
  }

  const noop = (): void => {}

  function enter(onRun: () => void): BulkheadEntry | null {
    if (running < limit.current) {
      running += 1
      return new Entry(Phase.Running, noop)
    }
    if (queue.size >= queueSize) return null
    const entry = new Entry(Phase.Queued, onRun)
    queue.add(entry)
    return entry
  }

  return {
    get inFlight() {
      return running
    },
    get queued() {
      return queue.size
    },
    get limit() {
      return limit.current
    },
    enter,
    rejection: options.rejection,
  }
}
