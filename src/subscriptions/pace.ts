import { Observable, type MonoTypeOperatorFunction } from 'rxjs'
import { SubscriberOverflowError } from './subscriber-overflow-error.js'

/**
 * What to do with events a subscriber has not taken yet. Declared per
 * subscription field (see live-events.ts).
 */
export type OverflowPolicy<T> =
  /** Keep every event, up to `capacity` waiting; one more errors with SubscriberOverflowError. */
  | { readonly kind: 'buffer'; readonly capacity: number }
  /**
   * Keep only the newest event per key (e.g. per product): a slow subscriber
   * skips intermediate states but always ends with the current one. Bounded
   * by the number of distinct keys.
   */
  | { readonly kind: 'conflate'; readonly keyOf: (value: T) => string }

export interface PaceHooks {
  /** An older event was replaced by a newer one with the same key. */
  readonly onConflated?: undefined | (() => void)
}

interface PendingQueue<T> {
  readonly size: number
  /** Returns true when the value replaced an older one (conflation). */
  push(value: T): boolean
  shift(): T
}

function fifo<T>(): PendingQueue<T> {
  let items: T[] = []
  let head = 0
  return {
    get size() {
      return items.length - head
    },
    push(value) {
      items.push(value)
      return false
    },
    shift() {
      const value = items[head] as T
      head += 1
      // Compact now and then instead of Array#shift on every take (O(n) each).
      if (head >= 1_024 && head * 2 >= items.length) {
        items = items.slice(head)
        head = 0
      }
      return value
    },
  }
}

function latestByKey<T>(keyOf: (value: T) => string): PendingQueue<T> {
  const pending = new Map<string, T>()
  return {
    get size() {
      return pending.size
    },
    push(value) {
      const key = keyOf(value)
      const replaced = pending.delete(key)
      // Re-inserted at the end, so the queue stays in event order (ids increase).
      pending.set(key, value)
      return replaced
    },
    shift() {
      const [key, value] = pending.entries().next().value as [string, T]
      pending.delete(key)
      return value
    },
  }
}

/**
 * Paces a push source to a pull consumer: emits one value per `demand$`
 * signal, holding what arrives in between according to `policy`. The source
 * is never slowed down, so one slow subscriber cannot delay the others.
 * Completes once the source has completed and everything held was taken.
 */
export function paceTo<T>(demand$: Observable<unknown>, policy: OverflowPolicy<T>, hooks: PaceHooks = {}): MonoTypeOperatorFunction<T> {
  if (policy.kind === 'buffer' && (!Number.isSafeInteger(policy.capacity) || policy.capacity < 1)) {
    throw new TypeError(`paceTo: buffer capacity must be a positive integer, got ${String(policy.capacity)}`)
  }
  return (source) =>
    new Observable<T>((subscriber) => {
      const queue = policy.kind === 'buffer' ? fifo<T>() : latestByKey(policy.keyOf)
      let credit = 0
      let sourceDone = false

      const drain = (): void => {
        while (credit > 0 && queue.size > 0) {
          credit -= 1
          subscriber.next(queue.shift())
        }
        if (sourceDone && queue.size === 0) subscriber.complete()
      }

      const demand = demand$.subscribe(() => {
        credit += 1
        drain()
      })
      const upstream = source.subscribe({
        next(value) {
          if (credit > 0 && queue.size === 0) {
            credit -= 1
            subscriber.next(value)
            return
          }
          if (queue.push(value)) hooks.onConflated?.()
          if (policy.kind === 'buffer' && queue.size > policy.capacity) {
            subscriber.error(new SubscriberOverflowError(policy.capacity, queue.size))
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          sourceDone = true
          drain()
        },
      })
      return () => {
        demand.unsubscribe()
        upstream.unsubscribe()
      }
    })
}
