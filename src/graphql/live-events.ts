import type { NotificationEventParent, OrderEventParent, StockEventParent } from './parents.js'

/** The Subscription fields of the schema, each served from the event log (subscriptions/live-events.ts implements them). */
export type SubscriptionField = 'orderStatusChanged' | 'notificationAdded' | 'stockChanged'

/** What a Subscription field's `subscribe` answers: one payload per event, keyed by the field. */
export type Payloads<F extends SubscriptionField, P> = AsyncIterableIterator<{ readonly [K in F]: P }>

/** The event streams behind the Subscription fields, for one operation. */
export interface LiveEvents {
  orderStatusChanged(userId: string, after: string | null | undefined): Promise<Payloads<'orderStatusChanged', OrderEventParent>>
  notificationAdded(userId: string, after: string | null | undefined): Promise<Payloads<'notificationAdded', NotificationEventParent>>
  stockChanged(productIds: readonly string[], after: string | null | undefined): Promise<Payloads<'stockChanged', StockEventParent>>
}

declare module 'mercurius' {
  interface MercuriusContext {
    /** Subscription event streams: present only for operations over the websocket endpoint. */
    readonly live?: undefined | LiveEvents
  }
}

