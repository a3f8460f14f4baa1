import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'

/** Mutations change the world: each test gets its own stack. */
let stack: Stack
beforeEach(async () => {
  stack = await startStack()
})
afterEach(async () => {
  await stack.close()
})

describe('placeOrder', () => {
  it('places an order at current prices, in status PLACED, and emits order.created', async () => {
    const world = stack.mocks.world
    const before = await stack.mocks.eventLog.lastId()
    const { status, body } = await gql(
      stack,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status user { id } items { quantity unitPrice { amount } product { id } } total { amount currency } } }',
      { input: { userId: '2', items: [{ productId: '10', quantity: 2 }, { productId: '11', quantity: 1 }] } },
    )
    expect(status).toBe(200)
    expect(body.errors).toBeUndefined()
    const p10 = world.inventory.get('10')?.price.amount ?? NaN
    const p11 = world.inventory.get('11')?.price.amount ?? NaN
    const order = body.data?.['placeOrder'] as { id: string }
    expect(order).toEqual({
      id: order.id,
      status: 'PLACED',
      user: { id: '2' },
      items: [
        { quantity: 2, unitPrice: { amount: p10 }, product: { id: '10' } },
        { quantity: 1, unitPrice: { amount: p11 }, product: { id: '11' } },
      ],
      total: { amount: 2 * p10 + p11, currency: 'USD' },
    })
    // The order is readable at once, and the domain event is in the log.
    const read = await gql(stack, `{ order(id: "${order.id}") { id status } }`)
    expect(read.body.data).toEqual({ order: { id: order.id, status: 'PLACED' } })
    const events = await stack.mocks.eventLog.read(before)
    expect(events.map((e) => e.event)).toContainEqual({ type: 'order.created', orderId: order.id, userId: '2', status: 'PLACED' })
  })

  it('rejects bad input before calling the orders service', async () => {
    const empty = await gql(stack, 'mutation { placeOrder(input: { userId: "2", items: [] }) { id } }')
    expect(empty.body.data).toBeNull()
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    const tooMany = await gql(stack, 'mutation { placeOrder(input: { userId: "2", items: [{ productId: "1", quantity: 1000 }] }) { id } }')
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect((await mockStats(stack.mocks.urls.orders)).requests).toBe(0)
  })

  it('relays the orders service rejecting an unknown product as BAD_USER_INPUT', async () => {
    const { body } = await gql(stack, 'mutation { placeOrder(input: { userId: "2", items: [{ productId: "99999999", quantity: 1 }] }) { id } }')
    expect(body.data).toBeNull()
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(body.errors?.[0]?.path).toEqual(['placeOrder'])
  })
})

describe('likeReview', () => {
  it('adds one like and returns the review', async () => {
    const review = stack.mocks.world.reviews.get('1')
    expect(review).toBeDefined()
    const likes = review?.likes ?? NaN
    const { body } = await gql(stack, 'mutation { likeReview(id: "1") { id likes author { id } } }')
    expect(body.data).toEqual({ likeReview: { id: '1', likes: likes + 1, author: { id: review?.authorId } } })
  })

  it('answers NOT_FOUND for an unknown review', async () => {
    const { body } = await gql(stack, 'mutation { likeReview(id: "98765432") { id } }')
    expect(body.data).toBeNull()
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })
})

describe('markNotificationsRead', () => {
  it('counts only notifications that changed from unread to read', async () => {
    const world = stack.mocks.world
    const userId = [...world.unreadByUser.entries()].find(([, n]) => n >= 2)?.[0] ?? '1'
    const unread = (world.notificationsByUser.get(userId) ?? []).filter((n) => !n.read).map((n) => n.id)
    const read = (world.notificationsByUser.get(userId) ?? []).filter((n) => n.read).map((n) => n.id)
    const ids = [...unread.slice(0, 2), ...read.slice(0, 1)]
    const { body } = await gql(stack, 'mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids })
    expect(body.data).toEqual({ markNotificationsRead: 2 })
    const again = await gql(stack, 'mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids })
    expect(again.body.data).toEqual({ markNotificationsRead: 0 })
    const feed = await gql(stack, `{ home(userId: "${userId}") { notifications { unreadCount } } }`)
    expect(feed.body.data).toEqual({ home: { notifications: { unreadCount: unread.length - 2 } } })
  })
})
