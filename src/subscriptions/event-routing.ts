import type { DomainEvent } from '../events/domain-events.js'
import type { LoggedEvent } from '../events/event-log.js'
import type { NotificationEventParent, OrderEventParent, StockEventParent } from '../graphql/parents.js'

/**
 * Which subscribers an event concerns, as one routing key per event: the hub
 * indexes subscribers by these keys, so an event reaches only the
 * subscriptions whose arguments match it and costs nothing for the others.
 */
export const orderKey = (userId: string): string => `order:${userId}`
export const notificationKey = (userId: string): string => `notification:${userId}`
export const stockKey = (productId: string): string => `stock:${productId}`

/** The routing key of an event, or null for events no subscription field carries. */
export function routingKey(event: DomainEvent): string | null {
  switch (event.type) {
    case 'order.created':
    case 'order.status_changed':
      return orderKey(event.userId)
    case 'notification.created':
      return notificationKey(event.userId)
    case 'inventory.changed':
      return stockKey(event.productId)
    default:
      return null
  }
}

/** `orderStatusChanged` payload: order events only (creation included, with its PLACED status). */
export function toOrderEvent(logged: LoggedEvent): OrderEventParent | null {
  const { event } = logged
  if (event.type !== 'order.created' && event.type !== 'order.status_changed') return null
  return { eventId: logged.id, occurredAt: logged.occurredAt, orderId: event.orderId, status: event.status }
}

export function toNotificationEvent(logged: LoggedEvent): NotificationEventParent | null {
  const { event } = logged
  if (event.type !== 'notification.created') return null
  return { eventId: logged.id, occurredAt: logged.occurredAt, notificationId: event.notificationId, userId: event.userId }
}

export function toStockEvent(logged: LoggedEvent): StockEventParent | null {
  const { event } = logged
  if (event.type !== 'inventory.changed') return null
  return { eventId: logged.id, occurredAt: logged.occurredAt, productId: event.productId }
}
