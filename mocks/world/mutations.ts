import type { Inventory, Notification, NotificationKind, Order, OrderItem, OrderStatus, Review, World } from './types.js'

/**
 * State changes on the world. They know nothing about HTTP or the event log: the
 * services validate input shape, call these, and publish the resulting events.
 */

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'bad_request' | 'not_found' | 'conflict'; readonly message: string }

const fail = (reason: 'bad_request' | 'not_found' | 'conflict', message: string) => ({ ok: false, reason, message }) as const

export interface InventoryPatch {
  readonly stock?: undefined | number
  readonly priceAmount?: undefined | number
}

/** Applies the patch; undefined when the product has no inventory record. */
export function updateInventory(world: World, productId: string, patch: InventoryPatch): Inventory | undefined {
  const record = world.inventory.get(productId)
  if (record === undefined) return undefined
  if (patch.stock !== undefined) record.stock = patch.stock
  // Replaced, not mutated: seeded orders share the original Money object as their unitPrice.
  if (patch.priceAmount !== undefined) record.price = { amount: patch.priceAmount, currency: 'USD' }
  return record
}

export interface OrderInput {
  readonly userId: string
  readonly items: readonly { readonly productId: string; readonly quantity: number }[]
}

/** Places an order priced from the current inventory. */
export function placeOrder(world: World, input: OrderInput, nowMs: number = Date.now()): Outcome<Order> {
  const orders = world.ordersByUser.get(input.userId)
  if (!world.users.has(input.userId) || orders === undefined) return fail('bad_request', `unknown user ${input.userId}`)
  const items: OrderItem[] = []
  let amount = 0
  for (const { productId, quantity } of input.items) {
    const stock = world.inventory.get(productId)
    if (stock === undefined) return fail('bad_request', `unknown product ${productId}`)
    items.push({ productId, quantity, unitPrice: stock.price })
    amount += stock.price.amount * quantity
  }
  const id = String(world.sequences.nextOrderId++)
  const order: Order = { id, userId: input.userId, status: 'PLACED', createdAt: new Date(nowMs).toISOString(), items, total: { amount, currency: 'USD' } }
  world.orders.set(id, order)
  // Ids grow with time, so appending keeps the per-user list in ascending id order.
  orders.push(order)
  return { ok: true, value: order }
}

const NEXT_STATUS: Readonly<Record<OrderStatus, OrderStatus | null>> = {
  PLACED: 'PAID',
  PAID: 'SHIPPED',
  SHIPPED: 'DELIVERED',
  DELIVERED: null,
}

/** Moves an order one step along PLACED → PAID → SHIPPED → DELIVERED. */
export function advanceOrder(world: World, orderId: string): Outcome<Order> {
  const order = world.orders.get(orderId)
  if (order === undefined) return fail('not_found', `order ${orderId} not found`)
  const next = NEXT_STATUS[order.status]
  if (next === null) return fail('conflict', `order ${orderId} is already DELIVERED`)
  order.status = next
  return { ok: true, value: order }
}

export function likeReview(world: World, reviewId: string): Review | undefined {
  const review = world.reviews.get(reviewId)
  if (review !== undefined) review.likes += 1
  return review
}

/** Marks notifications read; answers the ids that changed, grouped by user. Unknown ids are ignored. */
export function markNotificationsRead(world: World, ids: readonly string[]): Map<string, string[]> {
  const changed = new Map<string, string[]>()
  for (const id of ids) {
    const notification = world.notifications.get(id)
    if (notification === undefined || notification.read) continue
    notification.read = true
    const { userId } = notification
    world.unreadByUser.set(userId, (world.unreadByUser.get(userId) ?? 1) - 1)
    const list = changed.get(userId)
    if (list === undefined) changed.set(userId, [id])
    else list.push(id)
  }
  return changed
}

/** Adds an unread notification; undefined when the user is unknown. */
export function addNotification(
  world: World,
  userId: string,
  kind: NotificationKind,
  message: string,
  nowMs: number = Date.now(),
): Notification | undefined {
  const list = world.notificationsByUser.get(userId)
  if (list === undefined) return undefined
  const id = String(world.sequences.nextNotificationId++)
  const notification: Notification = { id, userId, kind, message, read: false, createdAt: new Date(nowMs).toISOString() }
  world.notifications.set(id, notification)
  list.push(notification)
  world.unreadByUser.set(userId, (world.unreadByUser.get(userId) ?? 0) + 1)
  return notification
}
