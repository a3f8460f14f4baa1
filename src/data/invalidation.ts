import type { FastifyBaseLogger } from 'fastify'
import type { Observable, Subscription } from 'rxjs'
import type { DomainEvent } from '../events/domain-events.js'
import type { LoggedEvent } from '../events/event-log.js'
import type { DataCache, Invalidations } from './resources.js'

/**
 * What a change makes wrong in the cache, one function per kind of change.
 * Domain events (below) and the BFF's own mutations (data-sources.ts) both
 * go through these, so the two paths cannot drift apart.
 */
export const changed = {
  /** An order of the user was placed or changed status. Orders by id are not cached (PRIVATE without an owner in the key); the owner's lists are. */
  ordersOf: (userId: string): Invalidations => [{ resource: 'userOrders', id: userId }],
  /** Stock and price live in the inventory entry: the product's catalog entry is unaffected. */
  stockOf: (productId: string): Invalidations => [{ resource: 'inventory', id: productId }],
  /** A review's likes: the review and its product's review pages. */
  review: (reviewId: string, productId: string): Invalidations => [
    { resource: 'review', id: reviewId },
    { resource: 'productReviews', id: productId },
  ],
  /** A notification of the user was created or read: the feed and the unread count. */
  notificationsOf: (userId: string): Invalidations => [
    { resource: 'notificationFeed', id: userId },
    { resource: 'unreadCount', id: userId },
  ],
} as const

/** What a domain event invalidates. */
export function invalidationsFor(event: DomainEvent): Invalidations {
  switch (event.type) {
    case 'order.created':
    case 'order.status_changed':
      return changed.ordersOf(event.userId)
    case 'inventory.changed':
      return changed.stockOf(event.productId)
    case 'review.liked':
      return changed.review(event.reviewId, event.productId)
    case 'notification.created':
    case 'notification.read':
      return changed.notificationsOf(event.userId)
  }
}

/**
 * Applies every domain event appended after start-up to the cache. Each BFF
 * instance reads the log itself, so every instance (and its in-process store,
 * in the embedded default) sees every invalidation.
 */
export function invalidateOnEvents(events: Observable<LoggedEvent>, cache: DataCache, log: FastifyBaseLogger): Subscription {
  return events.subscribe({
    next: ({ event }) => void cache.invalidate(invalidationsFor(event)),
    error: (err: unknown) => log.error({ err }, 'domain event stream failed; cache invalidation by event stopped'),
  })
}
