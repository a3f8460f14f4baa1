import type { FastifyBaseLogger } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { EntityCache } from '../cache/entity-cache.js'
import { RequestCallContext } from '../downstream/call-context.js'
import type { DownstreamClients } from '../downstream/clients.js'
import { createDataSources, type DataSources } from '../downstream/data-sources.js'
import { LazyAbortController } from '../downstream/lazy-abort.js'

export interface EventDataSourcesOptions {
  readonly clients: DownstreamClients
  /** The entity cache queries use, so events resolve through the same layer. @default none */
  readonly cache?: undefined | EntityCache | null
  readonly log: FastifyBaseLogger
  /** Events whose data sources are kept at once (bounds the memory they hold). @default 256 */
  readonly maxEvents?: undefined | number
  /** How long an event's data sources serve late subscribers, in ms; then they are dropped. @default 5_000 */
  readonly ttlMs?: undefined | number
  /**
   * Shutdown: aborting it cancels the downstream calls of every event still
   * held and drops them all. Calls of events already dropped run to their own
   * timeouts. @default never aborted
   */
  readonly signal?: undefined | AbortSignal
}

export interface EventDataSources {
  /** The data sources every subscriber resolving this event shares. */
  forEvent(eventId: string): DataSources
}

interface HeldEvent {
  readonly data: DataSources
  readonly abort: LazyAbortController
}

/**
 * One downstream layer per event, shared by every subscription resolving it:
 * the ten subscribers of a product's stock change make one catalog call
 * between them (DataLoader batches and de-duplicates within the tick they all
 * resolve in), and nothing is reused from one event to the next. Subscribers
 * that read the event later (a replay, a slow reader) get a fresh layer once
 * the entry has expired.
 *
 * What an entry holds grows with the subscribers that resolved the event
 * (DataLoader keeps the last batch's cache-hit callbacks, one per load), so
 * entries are dropped when their time is up, not only when newer events push
 * them out: after a burst to many subscribers, with no event after it, the
 * last `maxEvents` entries would otherwise stay for good.
 */
export function createEventDataSources(options: EventDataSourcesOptions): EventDataSources {
  const { signal } = options
  const entries = new LRUCache<string, HeldEvent>({ max: options.maxEvents ?? 256, ttl: options.ttlMs ?? 5_000, ttlAutopurge: true })
  signal?.addEventListener(
    'abort',
    () => {
      for (const held of entries.values()) held.abort.abort()
      entries.clear()
    },
    { once: true },
  )
  return {
    forEvent(eventId) {
      let held = entries.get(eventId)
      if (held === undefined) {
        // A signal per event, not one shared by all: the cache's read session leaves its abort
        // listener on the signal it is given, and on a signal that outlives every event one
        // listener (and the promise it settles) would pile up per event, for good.
        const abort = new LazyAbortController()
        if (signal?.aborted === true) abort.abort()
        const data = createDataSources(options.clients, new RequestCallContext(`event:${eventId}`, options.log, abort), options.cache)
        held = { data, abort }
        entries.set(eventId, held)
      }
      return held.data
    },
  }
}
