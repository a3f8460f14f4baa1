import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { gql, mockStats } from '../../helpers/stack.js'
import { subscribe } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor } from './harness.js'

const ORDERS = /* GraphQL */ `
  subscription ($userId: ID!, $after: String) {
    orderStatusChanged(userId: $userId, after: $after) {
      eventId
      occurredAt
      order { id status user { id name } items { quantity product { id name price { formatted } } } }
    }
  }
`
const NOTIFICATIONS = /* GraphQL */ `
  subscription ($userId: ID!) {
    notificationAdded(userId: $userId) { eventId occurredAt notification { id kind message read } }
  }
`
const STOCK = /* GraphQL */ `
  subscription ($ids: [ID!]!) {
    stockChanged(productIds: $ids) { eventId occurredAt product { id name stock price { amount } } }
  }
`
const PLACE_ORDER = /* GraphQL */ `
  mutation ($userId: ID!, $productId: ID!) {
    placeOrder(input: { userId: $userId, items: [{ productId: $productId, quantity: 2 }] }) { id status }
  }
`

async function call(method: 'POST' | 'PUT', url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await request(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const parsed = (await response.body.json()) as Record<string, unknown>
  if (response.statusCode >= 400) throw new Error(`${method} ${url}: ${response.statusCode}`)
  return parsed
}

describe('subscription fields', () => {
  it('placeOrder produces an orderStatusChanged event with nested fields resolved; other users see nothing', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const client = wsClientFor(bff)
    const mine = subscribe(client, ORDERS, { userId: '3' })
    const theirs = subscribe(client, ORDERS, { userId: '4' })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(2)

    const placed = await gql({ bffUrl: bff.httpUrl }, PLACE_ORDER, { userId: '3', productId: '7' })
    const orderId = (placed.body.data?.['placeOrder'] as { id: string }).id

    const result = await mine.next()
    expect(result.errors).toBeUndefined()
    const event = result.data?.['orderStatusChanged'] as {
      eventId: string
      occurredAt: string
      order: { id: string; status: string; user: { id: string }; items: Array<{ quantity: number; product: { id: string; name: string; price: { formatted: string } } }> }
    }
    expect(event.eventId).toMatch(/^\d+-\d+$/)
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false)
    expect(event.order).toMatchObject({ id: orderId, status: 'PLACED', user: { id: '3' } })
    expect(event.order.items[0]).toMatchObject({ quantity: 2, product: { id: '7' } })
    expect(event.order.items[0]?.product.name.length).toBeGreaterThan(0)
    expect(event.order.items[0]?.product.price.formatted).toMatch(/^\$/)

    await call('POST', `${mocks.urls.orders}/orders/${orderId}/advance`, {})
    const advanced = (await mine.next()).data?.['orderStatusChanged'] as { eventId: string; order: { status: string } }
    expect(advanced.order.status).toBe('PAID')
    expect(advanced.eventId > event.eventId).toBe(true)
    expect(await theirs.nothingWithin(200)).toBe(true)
  })

  it('notificationAdded delivers the user’s new notification only', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const client = wsClientFor(bff)
    const mine = subscribe(client, NOTIFICATIONS, { userId: '5' })
    const theirs = subscribe(client, NOTIFICATIONS, { userId: '6' })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(2)

    const created = await call('POST', `${mocks.urls.notifications}/users/5/notifications`, { kind: 'SOCIAL', message: 'hello live' })
    const result = await mine.next()
    expect(result.errors).toBeUndefined()
    expect(result.data?.['notificationAdded']).toMatchObject({
      notification: { id: created['id'], kind: 'SOCIAL', message: 'hello live', read: false },
    })
    expect(await theirs.nothingWithin(200)).toBe(true)
  })

  it('stockChanged delivers changes of the listed products only', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const client = wsClientFor(bff)
    const watched = subscribe(client, STOCK, { ids: ['11', '12'] })
    const other = subscribe(client, STOCK, { ids: ['13'] })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(2)

    await call('PUT', `${mocks.urls.inventory}/inventory/12`, { stock: 77 })
    await call('PUT', `${mocks.urls.inventory}/inventory/99`, { stock: 5 })
    const result = await watched.next()
    expect(result.errors).toBeUndefined()
    expect(result.data?.['stockChanged']).toMatchObject({ product: { id: '12', stock: 77 } })
    expect(await other.nothingWithin(200)).toBe(true)
    expect(await watched.nothingWithin(50)).toBe(true)
  })

  it('subscribers of one event share its downstream calls (one fetch per event, not per subscriber)', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const probes = Array.from({ length: 5 }, () => subscribe(wsClientFor(bff), STOCK, { ids: ['21'] }))
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(5)
    await request(`${mocks.urls.inventory}/__admin/reset`, { method: 'POST' }).then((response) => response.body.dump())
    await call('PUT', `${mocks.urls.inventory}/inventory/21`, { stock: 9 })
    for (const probe of probes) expect((await probe.next()).data?.['stockChanged']).toMatchObject({ product: { id: '21', stock: 9 } })
    expect((await mockStats(mocks.urls.inventory)).byRoute['GET /inventory']).toBe(1)
  })

  it('rejects bad arguments before any event flows', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const client = wsClientFor(bff)
    const empty = subscribe(client, STOCK, { ids: [] })
    const result = await empty.next()
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT')
    expect(await empty.ended).toBeUndefined()
  })
})
