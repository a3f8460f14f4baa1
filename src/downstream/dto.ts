import { z } from 'zod'

/**
 * The shapes downstream services answer with (mocks/API.md). Every body is
 * parsed from `unknown` through these schemas; a service that drifts from its
 * contract yields DOWNSTREAM_ERROR, never a half-typed object.
 */
const id = z.string().min(1).max(64)
const timestamp = z.string().min(1)

export const moneyDto = z.object({ amount: z.number().int(), currency: z.string().length(3) })
export const userDto = z.object({ id, name: z.string(), handle: z.string(), avatarUrl: z.string(), joinedAt: timestamp })
export const productDto = z.object({
  id,
  name: z.string(),
  description: z.string(),
  category: z.string(),
  images: z.array(z.string()),
})
export const inventoryDto = z.object({ productId: id, stock: z.number().int(), price: moneyDto })
export const orderStatus = z.enum(['PLACED', 'PAID', 'SHIPPED', 'DELIVERED'])
export const orderDto = z.object({
  id,
  userId: id,
  status: orderStatus,
  createdAt: timestamp,
  items: z.array(z.object({ productId: id, quantity: z.number().int(), unitPrice: moneyDto })),
  total: moneyDto,
})
export const reviewDto = z.object({
  id,
  productId: id,
  authorId: id,
  rating: z.number().int(),
  body: z.string(),
  likes: z.number().int(),
  createdAt: timestamp,
})
export const notificationDto = z.object({
  id,
  userId: id,
  kind: z.enum(['ORDER', 'SOCIAL', 'PROMOTION']),
  message: z.string(),
  read: z.boolean(),
  createdAt: timestamp,
})

const page = { hasNextPage: z.boolean(), endCursor: z.string().nullable() }

export const usersBatch = z.object({ users: z.array(userDto) })
export const followersPage = z.object({ userIds: z.array(id), total: z.number().int() })
export const productsBatch = z.object({ products: z.array(productDto) })
export const searchPage = z.object({
  items: z.array(z.object({ cursor: z.string(), product: productDto })),
  total: z.number().int(),
  ...page,
})
export const inventoryBatch = z.object({ items: z.array(inventoryDto) })
export const ordersPage = z.object({ orders: z.array(orderDto), cursors: z.array(z.string()), ...page })
export const ordersBatch = z.object({ orders: z.array(orderDto) })
export const reviewsPage = z.object({ reviews: z.array(reviewDto), cursors: z.array(z.string()), total: z.number().int(), ...page })
export const reviewsBatch = z.object({ reviews: z.array(reviewDto) })
export const notificationsPage = z.object({ notifications: z.array(notificationDto), unreadCount: z.number().int() })
export const unreadCount = z.object({ unreadCount: z.number().int() })
export const readResult = z.object({ updated: z.number().int() })
export const recommendationIds = z.object({ productIds: z.array(id) })

export type MoneyDto = z.infer<typeof moneyDto>
export type UserDto = z.infer<typeof userDto>
export type ProductDto = z.infer<typeof productDto>
export type InventoryDto = z.infer<typeof inventoryDto>
export type OrderDto = z.infer<typeof orderDto>
export type ReviewDto = z.infer<typeof reviewDto>
export type NotificationDto = z.infer<typeof notificationDto>

/** A cursor page of items, as the clients return it. */
export interface Page<T> {
  readonly items: readonly T[]
  /** `cursors[i]` is the cursor of `items[i]` (usable as `after`). */
  readonly cursors: readonly string[]
  readonly hasNextPage: boolean
  readonly endCursor: string | null
  readonly total?: undefined | number
}
