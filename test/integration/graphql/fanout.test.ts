import { request } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { HOME } from '../../helpers/home-query.js'

interface Timed {
  readonly route: string
  readonly startedAt: number
  readonly endedAt: number | null
  readonly requestId: string | null
}

async function timings(url: string): Promise<Timed[]> {
  const response = await request(`${url}/__admin/requests`)
  return ((await response.body.json()) as { requests: Timed[] }).requests
}

let stack: Stack
beforeEach(async () => {
  stack = await startStack()
})
afterEach(async () => {
  await stack.close()
})

describe('fan-out', () => {
  it('batches by service: 5 orders × items make one catalog and one inventory call for all of them', async () => {
    const { body } = await gql(stack, HOME, { id: '1' })
    expect(body.errors).toBeUndefined()
    const s = Object.fromEntries(
      await Promise.all(Object.entries(stack.mocks.urls).map(async ([name, url]) => [name, (await mockStats(url)).byRoute])),
    )
    const itemCount = (body.data?.['home'] as { recentOrders: { items: unknown[] }[] }).recentOrders.flatMap((o) => o.items).length
    expect(itemCount).toBeGreaterThan(5)
    expect(s['users']).toEqual({ 'GET /users': 1 })
    expect(s['orders']).toEqual({ 'GET /users/:userId/orders': 1 })
    expect(s['notifications']).toEqual({ 'GET /users/:userId/notifications': 1 })
    expect(s['recommendations']).toEqual({ 'GET /users/:userId/recommendations': 1 })
    // Order items and recommendations are two chains that return at different times:
    // one catalog + one inventory batch call for each chain, never one per product.
    expect(s['catalog']).toEqual({ 'GET /products': 2 })
    expect(s['inventory']).toEqual({ 'GET /inventory': 2 })
  })

  it('makes identical calls once per request, however many fields ask', async () => {
    const { body } = await gql(
      stack,
      `{ a: product(id: "7") { name price { amount } } b: product(id: "7") { name stock }
         c: products(ids: ["7", "8", "7"]) { id }
         u1: user(id: "3") { name } u2: user(id: "3") { handle }
         h: home(userId: "3") { user { id } recommendations(first: 2) { id } }
         h2: home(userId: "3") { recommendations(first: 2) { name } } }`,
    )
    expect(body.errors).toBeUndefined()
    expect((await mockStats(stack.mocks.urls.users)).byRoute).toEqual({ 'GET /users': 1 })
    expect((await mockStats(stack.mocks.urls.recommendations)).byRoute).toEqual({ 'GET /users/:userId/recommendations': 1 })
    expect((await mockStats(stack.mocks.urls.inventory)).byRoute).toEqual({ 'GET /inventory': 1 })
    // Products 7 and 8 in the first tick, the recommended ones when recommendations answer.
    expect((await mockStats(stack.mocks.urls.catalog)).byRoute).toEqual({ 'GET /products': 2 })
  })

  it('runs independent legs concurrently: latency is the critical path, not the sum', async () => {
    await Promise.all([
      setFaults(stack.mocks.urls.users, { latencyMs: 100 }),
      setFaults(stack.mocks.urls.orders, { latencyMs: 150 }),
      setFaults(stack.mocks.urls.catalog, { latencyMs: 100 }),
      setFaults(stack.mocks.urls.inventory, { latencyMs: 100 }),
      setFaults(stack.mocks.urls.notifications, { latencyMs: 150 }),
      setFaults(stack.mocks.urls.recommendations, { latencyMs: 200 }),
    ])
    const started = performance.now()
    const { body } = await gql(stack, HOME, { id: '1' })
    const elapsed = performance.now() - started
    expect(body.errors).toBeUndefined()
    // Critical path: recommendations (200) → catalog ∥ inventory (100) = 300 ms.
    // Sequential would be 100+150+100+100+150+200+100+100 = 1000 ms.
    expect(elapsed).toBeGreaterThanOrEqual(300)
    // Bound with room for a loaded CI box, still far below the sequential 1000 ms.
    expect(elapsed).toBeLessThan(750)

    // Structural proof from the mocks' own clocks (one process, one monotonic clock):
    // the first-level legs all started before any of them ended.
    const first = await Promise.all(
      (['users', 'orders', 'notifications', 'recommendations'] as const).map(async (name) => (await timings(stack.mocks.urls[name]))[0]),
    )
    const latestStart = Math.max(...first.map((t) => t?.startedAt ?? Infinity))
    const earliestEnd = Math.min(...first.map((t) => t?.endedAt ?? -Infinity))
    expect(latestStart).toBeLessThan(earliestEnd)
    // catalog and inventory for the same chain overlap as well.
    const [catalog] = await timings(stack.mocks.urls.catalog)
    const [inventory] = await timings(stack.mocks.urls.inventory)
    expect(Math.max(catalog?.startedAt ?? Infinity, inventory?.startedAt ?? Infinity)).toBeLessThan(
      Math.min(catalog?.endedAt ?? -Infinity, inventory?.endedAt ?? -Infinity),
    )
  })

  it('forwards the request id to every downstream call', async () => {
    await gql(stack, HOME, { id: '1' }, { headers: { 'x-request-id': 'trace-abc-123' } })
    const { reviews: _notCalledByHome, ...called } = stack.mocks.urls
    for (const url of Object.values(called)) {
      const calls = await timings(url)
      expect(calls.length).toBeGreaterThan(0)
      expect(new Set(calls.map((c) => c.requestId))).toEqual(new Set(['trace-abc-123']))
    }
  })
})

describe('partial failure', () => {
  it('a failing service nulls only its fields, with path and code; the rest is complete', async () => {
    await setFaults(stack.mocks.urls.notifications, { errorRate: 1, errorStatus: 503 })
    await setFaults(stack.mocks.urls.orders, { errorRate: 1, errorStatus: 500 })
    const { status, body } = await gql(stack, HOME, { id: '1' })
    expect(status).toBe(200)
    const home = body.data?.['home'] as Record<string, unknown>
    expect(home['notifications']).toBeNull()
    expect(home['recentOrders']).toBeNull()
    expect(home['user']).toEqual({ id: '1', name: 'Noor Larsen' })
    expect((home['recommendations'] as unknown[]).length).toBe(10)
    const codes = Object.fromEntries((body.errors ?? []).map((e) => [e.path?.slice(0, 2).join('.'), e.extensions?.code]))
    expect(codes).toEqual({ 'home.notifications': 'DOWNSTREAM_UNAVAILABLE', 'home.recentOrders': 'DOWNSTREAM_ERROR' })
    // No internals leak: messages name the service and outcome only.
    for (const error of body.errors ?? []) expect(error.message).not.toMatch(/127\.0\.0\.1|stack|at /)
  })

  it('a hanging service times out into DOWNSTREAM_TIMEOUT while the rest answers', async () => {
    await stack.close()
    stack = await startStack({ NOTIFICATIONS_TIMEOUT_MS: '150' })
    await setFaults(stack.mocks.urls.notifications, { hangRate: 1 })
    const started = performance.now()
    const { body } = await gql(stack, HOME, { id: '1' })
    expect(performance.now() - started).toBeLessThan(1_000)
    const home = body.data?.['home'] as Record<string, unknown>
    expect(home['notifications']).toBeNull()
    expect(home['user']).not.toBeNull()
    expect(body.errors?.map((e) => e.extensions?.code)).toContain('DOWNSTREAM_TIMEOUT')
    // The timed-out calls were aborted, not left hanging at the service.
    await waitFor(async () => (await mockStats(stack.mocks.urls.notifications)).inFlight === 0, { message: 'hung calls aborted' })
  })

  it('inventory failing keeps recommendations catalog-only queries intact and nulls priced products only', async () => {
    await setFaults(stack.mocks.urls.inventory, { errorRate: 1, errorStatus: 503 })
    const names = await gql(stack, '{ home(userId: "1") { recommendations(first: 3) { name } } }')
    expect(names.body.errors).toBeUndefined()
    expect((names.body.data?.['home'] as { recommendations: unknown[] }).recommendations).toHaveLength(3)
    // Recommendations cannot be priced: the screen keeps an empty list and says why, once.
    const home = await gql(stack, '{ home(userId: "1") { user { id } recommendations(first: 3) { name price { amount } } } }')
    expect(home.body.data).toEqual({ home: { user: { id: '1' }, recommendations: [] } })
    expect(home.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['home.recommendations', 'DOWNSTREAM_UNAVAILABLE']])
    const priced = await gql(stack, '{ products(ids: ["1", "2"]) { name price { amount } } }')
    expect(priced.body.data).toEqual({ products: [null, null] })
    expect(priced.body.errors?.every((e) => e.extensions?.code === 'DOWNSTREAM_UNAVAILABLE')).toBe(true)
  })
})

describe('cancellation', () => {
  it('a client that goes away ends its downstream requests', async () => {
    await setFaults(stack.mocks.urls.recommendations, { hangRate: 1 })
    await setFaults(stack.mocks.urls.users, { hangRate: 1 })
    const controller = new AbortController()
    const pending = gql(stack, HOME, { id: '1' }, { signal: controller.signal }).catch((error: unknown) => error)
    await waitFor(async () => (await mockStats(stack.mocks.urls.recommendations)).inFlight === 1, { message: 'call in flight' })
    await waitFor(async () => (await mockStats(stack.mocks.urls.users)).inFlight === 1, { message: 'call in flight' })
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    await waitFor(async () => (await mockStats(stack.mocks.urls.recommendations)).inFlight === 0, { timeoutMs: 2_000, message: 'recommendations aborted' })
    await waitFor(async () => (await mockStats(stack.mocks.urls.users)).inFlight === 0, { timeoutMs: 2_000, message: 'users aborted' })
  })
})
