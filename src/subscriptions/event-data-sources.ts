import type { FastifyBaseLogger } from 'fastify'
import { setMaxListeners } from 'node:events'
import { LRUCache } from 'lru-cache'
import type { EntityCache } from '../cache/entity-cache.js'
import { createCallBudget } from '../downstream/call-budget.js'
import type { DownstreamClients } from '../downstream/clients.js'
import { createDataSources, type DataSources } from '../downstream/data-sources.js'

export interface EventDataSourcesOptions {
  readonly clients: DownstreamClients
  /** The entity cache queries use, so events resolve through the same layer. @default none */
  readonly cache?: undefined | EntityCache | null
  readonly log: FastifyBaseLogger
  /** Downstream calls the resolution of one event may make, for all its subscribers together. */
  readonly maxDownstreamCalls: number
  /** Events whose data sources are kept at once (bounds the memory they hold). @default 256 */
  readonly maxEvents?: undefined | number
  /** How long an event's data sources serve late subscribers, in ms. @default 5_000 */
  readonly ttlMs?: undefined | number
}

export interface EventDataSources {
  /** The data sources every subscriber resolving this event shares. */
  forEvent(eventId: string): DataSources
  /** Aborts calls in flight (shutdown). */
  close(): void
}

/**
 * One downstream layer per event, shared by every subscription resolving it:
 * the ten subscribers of a product's stock change make one catalog call
 * between them (DataLoader batches and de-duplicates within the tick they all
 * resolve in), and nothing is reused from one event to the next. Subscribers
 * that read the event later (a replay, a slow reader) get a fresh layer once
 * the entry has expired.
 */
export function createEventDataSources(options: EventDataSourcesOptions): EventDataSources {
  // Shared work cannot be cancelled by one subscriber leaving: only shutdown aborts it.
  const controller = new AbortController()
  // Every call of every event listens on this one signal: many listeners are expected, not a leak.
  setMaxListeners(0, controller.signal)
  const entries = new LRUCache<string, DataSources>({ max: options.maxEvents ?? 256, ttl: options.ttlMs ?? 5_000, ttlAutopurge: false })
  return {
    forEvent(eventId) {
      let data = entries.get(eventId)
      if (data === undefined) {
        const budget = createCallBudget(options.maxDownstreamCalls)
        data = createDataSources(options.clients, { requestId: `event:${eventId}`, signal: controller.signal, log: options.log, budget }, options.cache)
        entries.set(eventId, data)
      }
      return data
    },
    close() {
      controller.abort()
      entries.clear()
    },
  }
}
