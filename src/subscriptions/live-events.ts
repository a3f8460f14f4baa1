import { badUserInput } from '../errors.js'
import type { LiveEvents, Payloads, SubscriptionField } from '../graphql/live-events.js'
import type { EventLog, LoggedEvent } from '../events/event-log.js'
import { SubscriberOverflowError } from './subscriber-overflow-error.js'
import type { EventHub } from './event-hub.js'
import { notificationKey, orderKey, stockKey, toNotificationEvent, toOrderEvent, toStockEvent } from './event-routing.js'
import { openEventStream } from './event-stream.js'
import type { OverflowPolicy } from './pace.js'
import type { SubscriptionStats } from './subscription-stats.js'

/**
 * The declared overflow policy of each field. Order and notification events
 * are each meaningful, so they are buffered up to a cap; stock levels are
 * state, so only the newest per product matters.
 */
export function overflowPolicies(bufferEvents: number): Readonly<Record<SubscriptionField, OverflowPolicy<LoggedEvent>>> {
  return {
    orderStatusChanged: { kind: 'buffer', capacity: bufferEvents },
    notificationAdded: { kind: 'buffer', capacity: bufferEvents },
    stockChanged: { kind: 'conflate', keyOf: (logged) => (logged.event.type === 'inventory.changed' ? logged.event.productId : logged.id) },
  }
}

export interface LiveEventsOptions {
  readonly log: EventLog
  readonly hub: EventHub
  readonly policies: Readonly<Record<SubscriptionField, OverflowPolicy<LoggedEvent>>>
  readonly stats: SubscriptionStats
  /** Runs as each event is handed over for resolution (the context renews its data sources). */
  readonly onEvent: (eventId: string, traceparent: string | undefined) => void
  /** A subscriber went over its buffer cap: its connection is to be closed. */
  readonly onSlowConsumer: (field: SubscriptionField, error: SubscriberOverflowError) => void
}

const MAX_PRODUCT_IDS = 100

function requireId(value: string, argument: string): string {
  if (value.length === 0 || value.length > 64) throw badUserInput(`${argument} must be 1 to 64 characters`, { argument })
  return value
}

export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const { stats } = options

  async function open<F extends SubscriptionField, P>(
    field: F,
    keys: readonly string[],
    after: string | null | undefined,
    toParent: (logged: LoggedEvent) => P | null,
  ): Promise<Payloads<F, P>> {
    const stream = await openEventStream({
      log: options.log,
      hub: options.hub,
      keys: new Set(keys),
      after: after ?? null,
      policy: options.policies[field],
      onConflated: () => {
        stats.eventsConflated += 1
      },
      onOverflow: (error) => {
        if (error instanceof SubscriberOverflowError) options.onSlowConsumer(field, error)
      },
    })
    stats.opened(field, 1)
    // One event at a time per subscription: graphql-ws pulls the next only after writing the last.
    let working = false
    let ended = false
    const release = (): void => {
      if (working) {
        working = false
        stats.endWork()
      }
    }
    const end = (): void => {
      release()
      if (!ended) {
        ended = true
        stats.opened(field, -1)
      }
    }
    const iterator: Payloads<F, P> = {
      async next() {
        release()
        for (;;) {
          const result = await stream.next()
          if (result.done === true) {
            end()
            return { done: true, value: undefined }
          }
          const parent = toParent(result.value)
          if (parent === null) continue
          working = true
          stats.startWork()
          stats.delivered(Date.now() - Date.parse(result.value.occurredAt))
          options.onEvent(result.value.id, result.value.traceparent)
          // The computed key is F; TS widens `{ [field]: … }` to an index signature.
          return { done: false, value: { [field]: parent } as { readonly [K in F]: P } }
        }
      },
      async return() {
        end()
        await stream.return?.()
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }

  return {
    orderStatusChanged: (userId, after) => open('orderStatusChanged', [orderKey(requireId(userId, 'userId'))], after, toOrderEvent),
    notificationAdded: (userId, after) =>
      open('notificationAdded', [notificationKey(requireId(userId, 'userId'))], after, toNotificationEvent),
    stockChanged: (productIds, after) => {
      if (productIds.length < 1 || productIds.length > MAX_PRODUCT_IDS) {
        throw badUserInput(`productIds takes 1 to ${MAX_PRODUCT_IDS} ids, got ${productIds.length}`, { argument: 'productIds' })
      }
      return open('stockChanged', productIds.map((id) => stockKey(requireId(id, 'productIds'))), after, toStockEvent)
    },
  }
}
