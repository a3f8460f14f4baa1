import { describe, expect, it } from 'vitest'
import { invalidationsFor } from '../../../src/data/invalidation.js'

describe('what each domain event invalidates', () => {
  it.each([
    [{ type: 'order.created', orderId: '9', userId: '7', status: 'PLACED' } as const, [{ resource: 'userOrders', id: '7' }]],
    [{ type: 'order.status_changed', orderId: '9', userId: '7', status: 'PAID' } as const, [{ resource: 'userOrders', id: '7' }]],
    [{ type: 'inventory.changed', productId: '42', stock: 1, priceAmount: 999 } as const, [{ resource: 'inventory', id: '42' }]],
    [
      { type: 'review.liked', reviewId: '5', productId: '42', likes: 3 } as const,
      [{ resource: 'review', id: '5' }, { resource: 'productReviews', id: '42' }],
    ],
    [
      { type: 'notification.created', notificationId: '1', userId: '7' } as const,
      [{ resource: 'notificationFeed', id: '7' }, { resource: 'unreadCount', id: '7' }],
    ],
    [
      { type: 'notification.read', userId: '7', notificationIds: ['1'] } as const,
      [{ resource: 'notificationFeed', id: '7' }, { resource: 'unreadCount', id: '7' }],
    ],
  ])('%o', (event, targets) => {
    expect(invalidationsFor(event)).toEqual(targets)
  })
})
