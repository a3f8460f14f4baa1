import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import { call, get, post, put, startTestMocks } from './mock-client.js'

async function events(mocks: RunningMocks): Promise<DomainEvent[]> {
  return (await mocks.eventLog.read('0-0', { limit: 1_000 })).map((logged) => logged.event)
}

describe('mock write routes', () => {
  let mocks: RunningMocks
  beforeEach(async () => {
    mocks = await startTestMocks()
  })
  afterEach(() => mocks.close())

  it('PUT /inventory/:productId changes stock and price and emits inventory.changed', async () => {
    const answer = await put(`${mocks.urls.inventory}/inventory/5`, { stock: 7, priceAmount: 1_234 })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ productId: '5', stock: 7, price: { amount: 1_234, currency: 'USD' } })
    expect(await events(mocks)).toEqual([{ type: 'inventory.changed', productId: '5', stock: 7, priceAmount: 1_234 }])
    const logged = await mocks.eventLog.read('0-0')
    expect(logged[0]?.id).toMatch(/^\d+-\d+$/)
    expect(logged[0]?.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it.each([
    [{}, 400],
    [{ stock: -1 }, 400],
    [{ stock: 1.5 }, 400],
    [{ priceAmount: '10' }, 400],
    [{ stock: 1, color: 'red' }, 400],
    ['[1]', 400],
    ['{not json', 400],
  ])('PUT /inventory/5 with %j answers %i and emits nothing', async (body, status) => {
    const answer = await put(`${mocks.urls.inventory}/inventory/5`, body)
    expect(answer.status).toBe(status)
    expect(answer.body.error).toBe('bad_request')
    expect(await events(mocks)).toEqual([])
  })

  it('PUT /inventory/:productId answers 404 for an unknown product', async () => {
    expect((await put(`${mocks.urls.inventory}/inventory/5001`, { stock: 1 })).status).toBe(404)
  })

  it('POST /orders prices from the current inventory, lists the order first, and emits order.created', async () => {
    await put(`${mocks.urls.inventory}/inventory/5`, { priceAmount: 1_000 })
    const created = await post(`${mocks.urls.orders}/orders`, { userId: '1', items: [{ productId: '5', quantity: 2 }, { productId: '1', quantity: 1 }] })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      id: '8023',
      userId: '1',
      status: 'PLACED',
      items: [
        { productId: '5', quantity: 2, unitPrice: { amount: 1_000, currency: 'USD' } },
        { productId: '1', quantity: 1, unitPrice: { amount: 46_192, currency: 'USD' } },
      ],
      total: { amount: 48_192, currency: 'USD' },
    })
    const listed = await get(`${mocks.urls.orders}/users/1/orders?first=1`)
    expect(listed.body.orders[0].id).toBe('8023')
    expect((await events(mocks)).at(-1)).toEqual({ type: 'order.created', orderId: '8023', userId: '1', status: 'PLACED' })
  })

  it.each([
    [{ userId: '99999', items: [{ productId: '1', quantity: 1 }] }, /unknown user/],
    [{ userId: '1', items: [{ productId: '5001', quantity: 1 }] }, /unknown product/],
    [{ userId: '1', items: [] }, /items/],
    [{ userId: '1', items: [{ productId: '1', quantity: 0 }] }, /quantity/],
    [{ userId: 1, items: [{ productId: '1', quantity: 1 }] }, /userId/],
  ])('POST /orders with %j answers 400', async (body, message) => {
    const answer = await post(`${mocks.urls.orders}/orders`, body)
    expect(answer.status).toBe(400)
    expect(answer.body.message).toMatch(message)
    expect(await events(mocks)).toEqual([])
  })

  it('POST /orders/:id/advance walks PLACED → DELIVERED, emitting each step, then answers 409', async () => {
    const statuses: string[] = []
    for (let step = 0; step < 3; step++) {
      // An empty JSON-typed body must be accepted: some clients always send the header.
      const answer = await call('POST', `${mocks.urls.orders}/orders/6843/advance`, { headers: { 'content-type': 'application/json' } })
      expect(answer.status).toBe(200)
      statuses.push(answer.body.status)
    }
    expect(statuses).toEqual(['PAID', 'SHIPPED', 'DELIVERED'])
    const conflict = await post(`${mocks.urls.orders}/orders/6843/advance`)
    expect(conflict.status).toBe(409)
    expect(conflict.body.error).toBe('conflict')
    expect(await events(mocks)).toEqual(
      ['PAID', 'SHIPPED', 'DELIVERED'].map((status) => ({ type: 'order.status_changed', orderId: '6843', userId: '1', status })),
    )
    expect((await post(`${mocks.urls.orders}/orders/99999999/advance`)).status).toBe(404)
  })

  it('POST /reviews/:id/like adds a like and emits review.liked', async () => {
    const answer = await post(`${mocks.urls.reviews}/reviews/555/like`)
    expect(answer.body).toMatchObject({ id: '555', productId: '637', likes: 29 })
    expect(await events(mocks)).toEqual([{ type: 'review.liked', reviewId: '555', productId: '637', likes: 29 }])
    expect((await post(`${mocks.urls.reviews}/reviews/99999999/like`)).status).toBe(404)
  })

  it('POST /notifications/read counts only unread→read changes and emits one event per user', async () => {
    const answer = await post(`${mocks.urls.notifications}/notifications/read`, { ids: ['16127', '13548', '3150', '99999999'] })
    expect(answer.body).toEqual({ updated: 2 })
    expect(await events(mocks)).toEqual([{ type: 'notification.read', userId: '1', notificationIds: ['16127', '13548'] }])
    expect((await get(`${mocks.urls.notifications}/users/1/notifications/unread-count`)).body).toEqual({ unreadCount: 3 })
    expect((await post(`${mocks.urls.notifications}/notifications/read`, { ids: ['16127'] })).body).toEqual({ updated: 0 })
    expect((await post(`${mocks.urls.notifications}/notifications/read`, { ids: 'all' })).status).toBe(400)
  })

  it('POST /users/:userId/notifications creates an unread notification listed first', async () => {
    const created = await post(`${mocks.urls.notifications}/users/1/notifications`, { kind: 'SOCIAL', message: 'Ada followed you' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ userId: '1', kind: 'SOCIAL', message: 'Ada followed you', read: false })
    const listed = await get(`${mocks.urls.notifications}/users/1/notifications?first=1`)
    expect(listed.body).toEqual({ notifications: [created.body], unreadCount: 6 })
    expect(await events(mocks)).toEqual([{ type: 'notification.created', notificationId: created.body.id, userId: '1' }])
    expect((await post(`${mocks.urls.notifications}/users/1/notifications`, { kind: 'SPAM', message: 'x' })).status).toBe(400)
    expect((await post(`${mocks.urls.notifications}/users/99999/notifications`, { kind: 'ORDER', message: 'x' })).status).toBe(404)
  })
})
