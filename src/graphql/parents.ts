import type { MoneyDto } from '../downstream/dto.js'
import type { SearchHit } from '../downstream/catalog-client.js'
import type { Page } from '../downstream/dto.js'
import type { OrderStatus } from '../events/domain-events.js'

/**
 * Parent values of GraphQL types that have no downstream DTO of their own.
 * Resolver types are generated with these as mappers (scripts/codegen.ts).
 */
export interface HomeParent {
  readonly userId: string
}

export interface NotificationFeedParent {
  readonly userId: string
  /**
   * `first` of `latest` when the query selects it, so `unreadCount` can come
   * from the same feed call instead of a second request.
   */
  readonly latestFirst: number | null
}

export interface OrderItemParent {
  readonly productId: string
  readonly quantity: number
  readonly unitPrice: MoneyDto
}

export interface EdgeParent<T> {
  readonly cursor: string
  readonly node: T
}

export type ConnectionParent<T> = Page<T>

export type ProductEdgeParent = SearchHit
export type ProductConnectionParent = Page<SearchHit>

export interface OrderEventParent {
  readonly eventId: string
  readonly occurredAt: string
  readonly orderId: string
  /** The status the event announced; the order is shown with it, whatever it is by now. */
  readonly status: OrderStatus
}
export interface NotificationEventParent {
  readonly eventId: string
  readonly occurredAt: string
  readonly notificationId: string
  readonly userId: string
}
export interface StockEventParent {
  readonly eventId: string
  readonly occurredAt: string
  readonly productId: string
}

