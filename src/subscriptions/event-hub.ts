import { Observable, type Subscriber } from 'rxjs'
import type { LoggedEvent } from '../events/event-log.js'
import { routingKey } from './event-routing.js'

/** Live domain events, routed to subscribers by key (see event-routing.ts). */
export interface EventHub {
  /**
   * Events whose routing key is one of `keys`, from the moment of
   * subscription, in log order. Never errors; completes at once when the hub
   * is already closed.
   */
  watch(keys: Iterable<string>): Observable<LoggedEvent>
  /** Subscriptions currently watching. */
  readonly watchers: number
  /**
   * Stops taking events in (shutdown). Watchers are left open, not completed:
   * a completed subscription is final to a graphql-ws client, while the 1012
   * close that follows makes it reconnect and subscribe again elsewhere.
   */
  close(): void
}

/**
 * Dispatches the instance's hot event stream to its subscriptions through a
 * key index: an event costs one map lookup plus one call per subscriber it
 * concerns, whatever the number of subscribers it does not.
 *
 * Subscribes to `events$` at once and stays subscribed until close(), so the
 * shared tail's start position is fixed before the first client can
 * subscribe: a replay that reads the log after subscribing to the hub then
 * cannot miss an event that the tail skipped by starting later.
 */
export function createEventHub(events$: Observable<LoggedEvent>): EventHub {
  const byKey = new Map<string, Set<Subscriber<LoggedEvent>>>()
  let watchers = 0
  let closed = false

  const upstream = events$.subscribe((logged) => {
    const key = routingKey(logged.event)
    if (key === null) return
    const subscribers = byKey.get(key)
    if (subscribers === undefined) return
    for (const subscriber of subscribers) subscriber.next(logged)
  })

  return {
    watch(keys: Iterable<string>): Observable<LoggedEvent> {
      const unique = [...new Set(keys)]
      return new Observable<LoggedEvent>((subscriber) => {
        if (closed) {
          subscriber.complete()
          return undefined
        }
        for (const key of unique) {
          let set = byKey.get(key)
          if (set === undefined) {
            set = new Set()
            byKey.set(key, set)
          }
          set.add(subscriber)
        }
        watchers += 1
        return () => {
          watchers -= 1
          for (const key of unique) {
            const set = byKey.get(key)
            set?.delete(subscriber)
            if (set?.size === 0) byKey.delete(key)
          }
        }
      })
    },
    get watchers() {
      return watchers
    },
    close(): void {
      if (closed) return
      closed = true
      upstream.unsubscribe()
    },
  }
}
