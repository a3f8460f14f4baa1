import type { Prng } from './prng.js'
import type { Inventory, Notification, NotificationKind, Order, OrderItem, OrderStatus, Review } from './types.js'
import { NOTIFICATION_MESSAGES, REVIEW_DETAILS, REVIEW_OPENERS } from './word-lists.js'
import { idOf, isoFromMs, orderByTime, pickDistinctInts, seededPastMs } from './world-clock.js'

/**
 * Orders, reviews and notifications. Each kind is drawn per owner, then sorted by
 * time and numbered, so ids follow creation order and per-owner lists come out
 * ascending by id (see `World`).
 */

type Writable<T> = { -readonly [K in keyof T]: T[K] }

/** Drawn records (id and createdAt still blank) with their creation times in epoch ms. */
class Drafts<T extends { readonly id: string; readonly createdAt: string }> {
  readonly records: Writable<T>[] = []
  readonly times: number[] = []

  add(record: Writable<T>, ms: number): void {
    this.records.push(record)
    this.times.push(ms)
  }

  /** Numbers the records in time order and files them under their owner. */
  number(ownerCount: number, ownerOf: (record: T) => string): { records: Map<string, T>; byOwner: Map<string, T[]> } {
    const byOwner = new Map<string, T[]>()
    for (let n = 1; n <= ownerCount; n++) byOwner.set(idOf(n), [])
    const records = new Map<string, T>()
    const order = orderByTime(this.times)
    for (let position = 0; position < order.length; position++) {
      // `order` is a permutation of the draft indexes, so both lookups are in range.
      const index = order[position] as number
      const record = this.records[index] as Writable<T>
      record.id = String(position + 1)
      record.createdAt = isoFromMs(this.times[index] as number)
      records.set(record.id, record)
      byOwner.get(ownerOf(record))?.push(record)
    }
    return { records, byOwner }
  }
}

const STATUS_WEIGHTS: readonly OrderStatus[] = ['PLACED', 'PLACED', 'PAID', 'PAID', 'SHIPPED', 'SHIPPED', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED']

/** Orders per user (user "1" has exactly 12, others 0–8), priced from the seeded inventory. */
export function generateOrders(prng: Prng, userCount: number, inventory: ReadonlyMap<string, Inventory>) {
  const drafts = new Drafts<Order>()
  for (let n = 1; n <= userCount; n++) {
    const userId = idOf(n)
    const count = n === 1 ? 12 : prng.int(0, 8)
    for (let k = 0; k < count; k++) {
      const ms = seededPastMs(prng, 365)
      const items: OrderItem[] = pickDistinctInts(prng, prng.int(1, 4), 1, inventory.size).map((p) => {
        const productId = idOf(p)
        const price = inventory.get(productId)?.price ?? { amount: 0, currency: 'USD' }
        return { productId, quantity: prng.int(1, 3), unitPrice: price }
      })
      const amount = items.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0)
      const status = prng.pick(STATUS_WEIGHTS)
      drafts.add({ id: '', userId, status, createdAt: '', items, total: { amount, currency: 'USD' } }, ms)
    }
  }
  const { records: orders, byOwner: ordersByUser } = drafts.number(userCount, (o) => o.userId)
  return { orders, ordersByUser, nextOrderId: orders.size + 1 }
}

const RATING_WEIGHTS: readonly number[] = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5]
const REVIEW_BODIES: readonly string[] = REVIEW_OPENERS.flatMap((opener) => REVIEW_DETAILS.map((detail) => `${opener} ${detail}`))

/** 0–8 reviews per product by random users. */
export function generateReviews(prng: Prng, productCount: number, userCount: number) {
  const drafts = new Drafts<Review>()
  for (let n = 1; n <= productCount; n++) {
    const productId = idOf(n)
    const count = prng.int(0, 8)
    for (let k = 0; k < count; k++) {
      const authorId = idOf(prng.int(1, userCount))
      const rating = prng.pick(RATING_WEIGHTS)
      const body = prng.pick(REVIEW_BODIES)
      const likes = prng.int(0, 40)
      drafts.add({ id: '', productId, authorId, rating, body, likes, createdAt: '' }, seededPastMs(prng, 2 * 365))
    }
  }
  const { records: reviews, byOwner: reviewsByProduct } = drafts.number(productCount, (r) => r.productId)
  return { reviews, reviewsByProduct }
}

const KINDS: readonly NotificationKind[] = ['ORDER', 'SOCIAL', 'PROMOTION']

/** 3–15 notifications per user from the last 30 days, about 60% read (user "1": 10, half read). */
export function generateNotifications(prng: Prng, userCount: number) {
  const drafts = new Drafts<Notification>()
  for (let n = 1; n <= userCount; n++) {
    const userId = idOf(n)
    // User "1" is the demo user: a fixed mix of 10, half unread, so the badge is never empty.
    const count = n === 1 ? 10 : prng.int(3, 15)
    for (let k = 0; k < count; k++) {
      const kind = prng.pick(KINDS)
      const message = prng.pick(NOTIFICATION_MESSAGES[kind])
      const read = n === 1 ? k % 2 === 0 : prng.chance(0.6)
      drafts.add({ id: '', userId, kind, message, read, createdAt: '' }, seededPastMs(prng, 30))
    }
  }
  const { records: notifications, byOwner: notificationsByUser } = drafts.number(userCount, (x) => x.userId)
  const unreadByUser = new Map<string, number>()
  for (const [userId, list] of notificationsByUser) {
    unreadByUser.set(userId, list.reduce((sum, x) => sum + (x.read ? 0 : 1), 0))
  }
  return { notifications, notificationsByUser, unreadByUser, nextNotificationId: notifications.size + 1 }
}
