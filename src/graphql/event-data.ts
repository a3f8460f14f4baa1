import type { DataSources } from '../data/data-sources.js'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'
import { LazyAbortController } from '../lib/lazy-abort.js'
import { LRUCache } from 'lru-cache'

export interface EventDataOptions {
  /** Builds an event's data layer around the abort signal it is given (its own deadline and budget included). */
  readonly dataFor: (eventId: string, abort: LazyAbortController, viewer: Viewer) => DataSources
  /** Events held at once. @default 256 */
  readonly maxEvents?: undefined | number
  /** Longest an event's layer serves late subscribers, in ms; then it is dropped. */
  readonly ttlMs: number
  /** Called once when an event's layer is dropped (its time is up, newer events pushed it out, or shutdown). */
  readonly onDrop?: undefined | ((eventId: string) => void)
}

export interface EventData {
  /**
   * The data layer every subscriber with this viewer's subject resolving this
   * event shares. Per subject, because the layer relays a token downstream:
   * the services then serve that subject what it may see, and a layer built
   * with one user's token never answers another's. Anonymous subscribers
   * (public events) share one.
   */
  forEvent(eventId: string, viewer?: undefined | Viewer): DataSources
  /** Shutdown: aborts the calls of every event still held and drops them; later events start aborted. */
  close(): void
}

interface HeldEvent {
  readonly data: DataSources
  readonly abort: LazyAbortController
}

/**
 * One data layer per event, shared by every subscription resolving it: the
 * ten subscribers of a product's stock change make one catalog call between
 * them (DataLoader batches within the tick they all resolve in), and nothing
 * is reused from one event to the next. A late subscriber (a replay, a slow
 * reader) joins while the entry lasts, and gets a fresh layer after.
 *
 * What an entry holds grows with the subscribers that resolved the event
 * (DataLoader keeps the last batch's cache-hit callbacks, one per load), so
 * entries are dropped when their time is up, not only when newer events push
 * them out: after a burst to many subscribers with no event after it, the
 * last `maxEvents` entries used to stay for good (docs/benchmarks.md, "Soak").
 * Each event gets its own abort signal: the cache's read session leaves its
 * abort listener on the signal it is given, and on one signal shared by
 * every event that was a listener (and the promise it settles) per event,
 * never released.
 */
export function createEventData(options: EventDataOptions): EventData {
  let closed = false
  const onDrop = options.onDrop
  const events = new LRUCache<string, HeldEvent>({
    max: options.maxEvents ?? 256,
    ttl: options.ttlMs,
    ttlAutopurge: true,
    ...(onDrop !== undefined && { dispose: (_held: HeldEvent, eventId: string) => onDrop(eventId) }),
  })
  return {
    forEvent(eventId, viewer = ANONYMOUS) {
      const key = viewer.subject === null ? eventId : `${eventId}\n${viewer.subject}`
      let held = events.get(key)
      if (held === undefined) {
        // Shared work cannot be cancelled by one subscriber leaving: only shutdown aborts it.
        const abort = new LazyAbortController()
        if (closed) abort.abort()
        held = { data: options.dataFor(eventId, abort, viewer), abort }
        events.set(key, held)
      }
      return held.data
    },
    close() {
      closed = true
      for (const held of events.values()) held.abort.abort()
      events.clear()
    },
  }
}
