import type { FastifyBaseLogger } from 'fastify'
import type { Observable, Subscription } from 'rxjs'
import type { DomainEvent } from '../events/domain-events.js'
import type { LoggedEvent } from '../events/event-log.js'
import type { EntityCache } from '../cache/entity-cache.js'
import type { InvalidationTarget } from '../cache/request-cache.js'

/**
 * What a change makes wrong in the cache. Domain events and the BFF's own
 * mutations both go through here, so the two paths cannot drift apart.
 * Stock and price live in the inventory entry, so `inventory.changed` drops
 * only that; the product's catalog entry is unaffected.
 */
export function invalidationsFor(event: DomainEvent): readonly InvalidationTarget[] {
  switch (event.type) {
    case 'order.created':
    case 'order.status_changed':
      // Orders by id are not cached (PRIVATE without an owner in the key); the owner's lists are.
      return [{ resource: 'userOrders', id: event.userId }]
    case 'inventory.changed':
      return [{ resource: 'inventory', id: event.productId }]
    case 'review.liked':
      return [
        { resource: 'review', id: event.reviewId },
        { resource: 'productReviews', id: event.productId },
      ]
    case 'notification.created':
    case 'notification.read':
      return [
        { resource: 'notificationFeed', id: event.userId },
        { resource: 'unreadCount', id: event.userId },
      ]
  }
}

/**
 * Applies every domain event appended after start-up to the cache. Each BFF
 * instance reads the log itself, so every instance (and its in-process store,
 * in the embedded default) sees every invalidation.
 */
export function invalidateOnEvents(events: Observable<LoggedEvent>, cache: EntityCache, log: FastifyBaseLogger): Subscription {
  return events.subscribe({
    next: ({ event }) => void cache.invalidate(invalidationsFor(event)),
    error: (err: unknown) => log.error({ err }, 'domain event stream failed; cache invalidation by event stopped'),
  })
}
