/**
 * Domain events published by the downstream services. The BFF treats the log as
 * untrusted input: `parseDomainEvent` validates every entry it reads.
 */
export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED'

export type DomainEvent =
  | { readonly type: 'order.created'; readonly orderId: string; readonly userId: string; readonly status: OrderStatus }
  | { readonly type: 'order.status_changed'; readonly orderId: string; readonly userId: string; readonly status: OrderStatus }
  | { readonly type: 'inventory.changed'; readonly productId: string; readonly stock: number; readonly priceAmount: number }
  | { readonly type: 'review.liked'; readonly reviewId: string; readonly productId: string; readonly likes: number }
  | { readonly type: 'notification.created'; readonly notificationId: string; readonly userId: string }
  | { readonly type: 'notification.read'; readonly userId: string; readonly notificationIds: readonly string[] }

export type DomainEventType = DomainEvent['type']

const ORDER_STATUSES: ReadonlySet<string> = new Set(['PLACED', 'PAID', 'SHIPPED', 'DELIVERED'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64
const isInt = (v: unknown): v is number => Number.isSafeInteger(v)

/** Returns the event when `value` is a well-formed domain event, otherwise null. */
export function parseDomainEvent(value: unknown): DomainEvent | null {
  if (!isRecord(value)) return null
  const v = value
  switch (v['type']) {
    case 'order.created':
    case 'order.status_changed':
      return isId(v['orderId']) && isId(v['userId']) && typeof v['status'] === 'string' && ORDER_STATUSES.has(v['status'])
        ? { type: v['type'], orderId: v['orderId'], userId: v['userId'], status: v['status'] as OrderStatus }
        : null
    case 'inventory.changed':
      return isId(v['productId']) && isInt(v['stock']) && isInt(v['priceAmount'])
        ? { type: 'inventory.changed', productId: v['productId'], stock: v['stock'], priceAmount: v['priceAmount'] }
        : null
    case 'review.liked':
      return isId(v['reviewId']) && isId(v['productId']) && isInt(v['likes'])
        ? { type: 'review.liked', reviewId: v['reviewId'], productId: v['productId'], likes: v['likes'] }
        : null
    case 'notification.created':
      return isId(v['notificationId']) && isId(v['userId'])
        ? { type: 'notification.created', notificationId: v['notificationId'], userId: v['userId'] }
        : null
    case 'notification.read': {
      const ids = v['notificationIds']
      return isId(v['userId']) && Array.isArray(ids) && ids.every(isId)
        ? { type: 'notification.read', userId: v['userId'], notificationIds: ids }
        : null
    }
    default:
      return null
  }
}
