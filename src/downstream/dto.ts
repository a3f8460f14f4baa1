import { Type, type Static } from '@sinclair/typebox'
import { contract } from './contract.js'

/**
 * The shapes downstream services answer with (mocks/API.md). Every body is
 * checked against these contracts before use; a service that drifts from its
 * contract yields DOWNSTREAM_ERROR, never a half-typed object.
 */
const id = Type.String({ minLength: 1, maxLength: 64 })
const timestamp = Type.String({ minLength: 1 })
const int = Type.Integer()

const money = Type.Object({ amount: int, currency: Type.String({ minLength: 3, maxLength: 3 }) })
const user = Type.Object({ id, name: Type.String(), handle: Type.String(), avatarUrl: Type.String(), joinedAt: timestamp })
const product = Type.Object({
  id,
  name: Type.String(),
  description: Type.String(),
  category: Type.String(),
  images: Type.Array(Type.String()),
})
const inventory = Type.Object({ productId: id, stock: int, price: money })
const order = Type.Object({
  id,
  userId: id,
  status: Type.Union([Type.Literal('PLACED'), Type.Literal('PAID'), Type.Literal('SHIPPED'), Type.Literal('DELIVERED')]),
  createdAt: timestamp,
  items: Type.Array(Type.Object({ productId: id, quantity: int, unitPrice: money })),
  total: money,
})
const review = Type.Object({
  id,
  productId: id,
  authorId: id,
  rating: int,
  body: Type.String(),
  likes: int,
  createdAt: timestamp,
})
const notification = Type.Object({
  id,
  userId: id,
  kind: Type.Union([Type.Literal('ORDER'), Type.Literal('SOCIAL'), Type.Literal('PROMOTION')]),
  message: Type.String(),
  read: Type.Boolean(),
  createdAt: timestamp,
})
const pageInfo = { hasNextPage: Type.Boolean(), endCursor: Type.Union([Type.String(), Type.Null()]) }
const notificationsPageSchema = Type.Object({ notifications: Type.Array(notification), unreadCount: int })

/** A cursor page of `item` as the cache stores it (see Page). */
export function pageOf<T extends ReturnType<typeof Type.Object>>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    cursors: Type.Array(Type.String()),
    hasNextPage: Type.Boolean(),
    endCursor: Type.Union([Type.String(), Type.Null()]),
    total: Type.Optional(int),
  })
}

/** Building blocks other contracts are made of (the cache's lists and pages). */
export const schemas = { id, int, order, review } as const

export const userDto = contract(user)
export const productDto = contract(product)
export const inventoryDto = contract(inventory)
export const orderDto = contract(order)
export const reviewDto = contract(review)
export const notificationsPage = contract(notificationsPageSchema)

export const usersBatch = contract(Type.Object({ users: Type.Array(user) }))
export const followersPage = contract(Type.Object({ userIds: Type.Array(id), total: int }))
export const productsBatch = contract(Type.Object({ products: Type.Array(product) }))
export const searchPage = contract(
  Type.Object({ items: Type.Array(Type.Object({ cursor: Type.String(), product })), total: int, ...pageInfo }),
)
export const inventoryBatch = contract(Type.Object({ items: Type.Array(inventory) }))
export const ordersPage = contract(Type.Object({ orders: Type.Array(order), cursors: Type.Array(Type.String()), ...pageInfo }))
export const ordersBatch = contract(Type.Object({ orders: Type.Array(order) }))
export const reviewsPage = contract(
  Type.Object({ reviews: Type.Array(review), cursors: Type.Array(Type.String()), total: int, ...pageInfo }),
)
export const reviewsBatch = contract(Type.Object({ reviews: Type.Array(review) }))
export const unreadCount = contract(Type.Object({ unreadCount: int }))
export const readResult = contract(Type.Object({ updated: int }))
export const recommendationIds = contract(Type.Object({ productIds: Type.Array(id) }))

export type MoneyDto = Static<typeof money>
export type UserDto = Static<typeof user>
export type ProductDto = Static<typeof product>
export type InventoryDto = Static<typeof inventory>
export type OrderDto = Static<typeof order>
export type ReviewDto = Static<typeof review>
export type NotificationDto = Static<typeof notification>

/** A cursor page of items, as the clients return it. */
export interface Page<T> {
  readonly items: readonly T[]
  /** `cursors[i]` is the cursor of `items[i]` (usable as `after`). */
  readonly cursors: readonly string[]
  readonly hasNextPage: boolean
  readonly endCursor: string | null
  readonly total?: undefined | number
}
