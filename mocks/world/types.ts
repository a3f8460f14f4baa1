/** An order's life, as the orders service reports it (mocks/API.md). */
export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED'

/**
 * Records are stored in exactly the JSON shape of mocks/API.md, so handlers
 * serialise them as they are. Fields the services change are not `readonly`.
 */
export interface Money {
  readonly amount: number
  readonly currency: 'USD'
}

export interface User {
  readonly id: string
  readonly name: string
  readonly handle: string
  readonly avatarUrl: string
  readonly joinedAt: string
}

export interface Product {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly category: string
  readonly images: readonly string[]
}

export interface Inventory {
  readonly productId: string
  stock: number
  price: Money
}

export interface OrderItem {
  readonly productId: string
  readonly quantity: number
  readonly unitPrice: Money
}

export interface Order {
  readonly id: string
  readonly userId: string
  status: OrderStatus
  readonly createdAt: string
  readonly items: readonly OrderItem[]
  readonly total: Money
}

export interface Review {
  readonly id: string
  readonly productId: string
  readonly authorId: string
  readonly rating: number
  readonly body: string
  likes: number
  readonly createdAt: string
}

export type NotificationKind = 'ORDER' | 'SOCIAL' | 'PROMOTION'

export interface Notification {
  readonly id: string
  readonly userId: string
  readonly kind: NotificationKind
  readonly message: string
  read: boolean
  readonly createdAt: string
}

/**
 * The whole mutable state behind the seven services. Per-owner lists
 * (`ordersByUser`, `reviewsByProduct`, `notificationsByUser`) are sorted by
 * ascending numeric id, and ids are handed out in creation-time order, so
 * "newest first" is simply reading a list from its end.
 */
export interface World {
  readonly seed: number
  readonly users: ReadonlyMap<string, User>
  /** Follower ids per user, newest follower first. */
  readonly followers: ReadonlyMap<string, readonly string[]>
  readonly products: ReadonlyMap<string, Product>
  /** All products in id order: the stable order search answers in. */
  readonly productList: readonly Product[]
  readonly inventory: ReadonlyMap<string, Inventory>
  readonly orders: Map<string, Order>
  readonly ordersByUser: Map<string, Order[]>
  readonly reviews: ReadonlyMap<string, Review>
  readonly reviewsByProduct: ReadonlyMap<string, readonly Review[]>
  readonly notifications: Map<string, Notification>
  readonly notificationsByUser: Map<string, Notification[]>
  readonly unreadByUser: Map<string, number>
  /** Recommended product ids per user, best first. */
  readonly recommendations: ReadonlyMap<string, readonly string[]>
  /** Next ids for records the services create. */
  readonly sequences: { nextOrderId: number; nextNotificationId: number }
}
