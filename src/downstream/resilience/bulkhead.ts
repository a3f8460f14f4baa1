import { Observable, type Subscription } from 'rxjs'

export interface BulkheadOptions {
  /** Calls running at once. @default 25 (resilience4j) */
  readonly concurrency?: undefined | number
  /** Calls waiting for a slot; beyond it calls are rejected at once. 0 disables queueing. @default 50 */
  readonly queueSize?: undefined | number
  /** The error a rejected call fails with. */
  readonly rejection: () => Error
}

export interface Bulkhead {
  readonly inFlight: number
  readonly queued: number
  /**
   * Subscribes to `source` once a slot is free. Unsubscribing while queued
   * gives the queue place back; unsubscribing while running frees the slot
   * (and the source's own teardown aborts its work).
   */
  run<T>(source: Observable<T>): Observable<T>
}

function count(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`createBulkhead: ${name} must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

/**
 * A concurrency cap with a bounded FIFO queue, as an Observable wrapper.
 * Hand-rolled rather than cockatiel's BulkheadPolicy: that one keeps a
 * cancelled task in its queue and, when it reaches the head, drops it without
 * starting the next one, so a live queued call waits with a slot free until
 * some unrelated call finishes.
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const concurrency = count('concurrency', options.concurrency ?? 25, 1)
  const queueSize = count('queueSize', options.queueSize ?? 50, 0)
  // A Set keeps insertion order (FIFO) and deletes a cancelled entry in O(1).
  const queue = new Set<() => void>()
  let running = 0

  function drain(): void {
    while (running < concurrency && queue.size > 0) {
      const next = queue.values().next().value as () => void
      queue.delete(next)
      next()
    }
  }

  return {
    get inFlight() {
      return running
    },
    get queued() {
      return queue.size
    },
    run<T>(source: Observable<T>): Observable<T> {
      return new Observable<T>((subscriber) => {
        let phase: 'queued' | 'running' | 'done' = 'queued'
        let inner: Subscription | undefined
        const start = (): void => {
          phase = 'running'
          running += 1
          inner = source.subscribe(subscriber)
        }
        if (running < concurrency) start()
        else if (queue.size < queueSize) queue.add(start)
        else {
          phase = 'done'
          subscriber.error(options.rejection())
        }
        return () => {
          if (phase === 'queued') queue.delete(start)
          else if (phase === 'running') {
            inner?.unsubscribe()
            running -= 1
            drain()
          }
          phase = 'done'
        }
      })
    },
  }
}
