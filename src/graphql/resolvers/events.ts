import type { MercuriusContext } from 'mercurius'
import { ClientError, notFound } from '../../errors.js'
import type { LiveEvents } from '../live-events.js'
import type { NotificationEventResolvers, OrderEventResolvers, StockEventResolvers, SubscriptionResolvers } from '../generated.js'
import type { NotificationEventParent, OrderEventParent, StockEventParent } from '../parents.js'
import { entityId } from '../inputs.js'
import { INVENTORY_FIELDS, selectsAny } from '../selection.js'

/** The notifications service has no lookup by id: the event's notification is found in the user's newest ones. */
const NOTIFICATION_LOOKUP_DEPTH = 100

function liveOf(context: MercuriusContext): LiveEvents {
  if (context.live === undefined) {
    throw new ClientError('BAD_REQUEST', 'Subscriptions are served over websocket (graphql-transport-ws) at /graphql')
  }
  return context.live
}

/** A Subscription field executed as a query (e.g. POSTed over HTTP) has no event to show. */
function payloadOf<T>(payload: T | undefined): T {
  if (payload === undefined) {
    throw new ClientError('BAD_REQUEST', 'Subscriptions are served over websocket (graphql-transport-ws) at /graphql')
  }
  return payload
}

const Subscription: SubscriptionResolvers = {
  orderStatusChanged: {
    subscribe: (_root, { userId, after }, context) => liveOf(context).orderStatusChanged(entityId(userId, 'userId'), after),
    resolve: (payload: { orderStatusChanged?: undefined | OrderEventParent }) => payloadOf(payload.orderStatusChanged),
  },
  notificationAdded: {
    subscribe: (_root, { userId, after }, context) => liveOf(context).notificationAdded(entityId(userId, 'userId'), after),
    resolve: (payload: { notificationAdded?: undefined | NotificationEventParent }) => payloadOf(payload.notificationAdded),
  },
  stockChanged: {
    subscribe: (_root, { productIds, after }, context) =>
      liveOf(context).stockChanged(productIds.map((id) => entityId(id, 'productIds')), after),
    resolve: (payload: { stockChanged?: undefined | StockEventParent }) => payloadOf(payload.stockChanged),
  },
}

const OrderEvent: OrderEventResolvers = {
  order: async (event, _args, { data }) => {
    const order = await data.order(event.orderId)
    if (order === null) throw notFound('order', event.orderId)
    // The status the event announced: a replayed "created" event still shows PLACED.
    return { ...order, status: event.status }
  },
}

const NotificationEvent: NotificationEventResolvers = {
  notification: async (event, _args, { data }) => {
    const feed = await data.notificationFeed(event.userId, NOTIFICATION_LOOKUP_DEPTH)
    const found = feed.notifications.find((notification) => notification.id === event.notificationId)
    if (found === undefined) throw notFound('notification', event.notificationId)
    return found
  },
}

const StockEvent: StockEventResolvers = {
  product: async (event, _args, { data }, info) => {
    const view = await data.productView(event.productId, selectsAny(info, INVENTORY_FIELDS))
    if (view === null) throw notFound('product', event.productId)
    return view
  },
}

/** Subscription fields and the event types they deliver; nested fields resolve through `context.data`. */
export const eventResolvers = { Subscription, OrderEvent, NotificationEvent, StockEvent }
