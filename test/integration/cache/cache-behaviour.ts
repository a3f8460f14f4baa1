import { request } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mockStats, resetMocks, setFaults } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, putStock, routeCalls, startBacking, startCacheStack, type Backend, type Backing, type CacheStack } from './cache-stack.js'

/** Test-side view of a GraphQL answer (tests read known shapes; src never casts JSON). */
interface Answer<D> {
  readonly data: D
  readonly errors?: readonly { readonly message: string; readonly extensions?: { readonly code?: string } }[]
  readonly extensions?: { readonly cache?: { readonly stale?: boolean } }
}

async function gql<D>(stack: CacheStack, query: string, variables: Record<string, unknown> = {}): Promise<Answer<D>> {
  const response = await request(`${stack.bffUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  return (await response.body.json()) as Answer<D>
}

const USER = 'query User($id: ID!) { user(id: $id) { id name } }'
type UserData = { user: { id: string; name: string } | null }

/**
 * The cache suite, run against one backend per test file (memory, redis,
 * redis-cluster) so the three run in parallel workers.
 */
export function describeCacheBehaviour(backend: Backend): void {
  describe(`entity cache over ${backend}`, () => {
    let backing: Backing
    beforeAll(async () => {
      backing = await startBacking(backend)
    })
    afterAll(async () => {
      await backing.stop()
    })

    // Behaviour, not outages (redis-outage.test.ts): a generous Redis limit keeps a starved
    // redis-server on a busy machine from turning hits into extra downstream calls.
    const calm = { CACHE_REDIS_TIMEOUT_MS: '1000', CACHE_BREAKER_THRESHOLD: '50' }

    describe('with short TTLs (User maxAge 2 s, SWR 2 s)', () => {
      let stack: CacheStack
      beforeAll(async () => {
        stack = await startCacheStack({
          ...backing.env,
          ...calm,
          CACHE_KEY_PREFIX: 'short:',
          CACHE_TTL_OVERRIDES: '{"User":2}',
          CACHE_STALE_WHILE_REVALIDATE_S: '2',
          CACHE_NEGATIVE_TTL_S: '2',
          // The entity cache's own windows: kept answers in front of it would answer these repeats
          // past freshness themselves (response-cache-stale.test.ts).
          RESPONSE_CACHE_ENABLED: 'false',
        })
      })
      afterAll(async () => {
        await stack.close()
      })
      beforeEach(async () => {
        // A background refresh left by the previous test must land before the counts reset.
        await waitFor(async () => (await mockStats(stack.mocks.urls.users)).inFlight === 0, { message: 'users calls to drain' })
        await stack.app.cache.flush()
        await resetMocks(stack.mocks)
      })
      const usersCalls = () => routeCalls(stack.mocks.urls.users, 'GET /users')

      it('serves a cached entry until its TTL passes, then goes downstream again', async () => {
        expect((await gql<UserData>(stack, USER, { id: '11' })).data.user?.id).toBe('11')
        expect((await gql<UserData>(stack, USER, { id: '11' })).data.user?.id).toBe('11')
        expect(await usersCalls()).toBe(1)
        await waitFor(async () => (await gql<UserData>(stack, USER, { id: '11' })) && (await usersCalls()) >= 2, {
          timeoutMs: 8_000,
          message: 'the user entry to expire and be fetched again',
        })
      })

      it('caches "not found" for the negative TTL', async () => {
        expect((await gql<UserData>(stack, USER, { id: '999999' })).data.user).toBeNull()
        expect(await usersCalls()).toBeGreaterThanOrEqual(1)
        // The second ask is answered by the negative entry (or joins its still-landing write):
        // no miss, so no fetch. Not a global call count: a coalesced refresh left by the
        // previous test may still land on the users service.
        const misses = await counter(stack, 'users:user', 'misses')
        expect((await gql<UserData>(stack, USER, { id: '999999' })).data.user).toBeNull()
        expect(await counter(stack, 'users:user', 'misses')).toBe(misses)
        await waitFor(async () => (await gql<UserData>(stack, USER, { id: '999999' })) && (await usersCalls()) >= 2, {
          timeoutMs: 8_000,
          message: 'the negative entry to expire',
        })
      })

      it('serves a stale entry while exactly one background refresh runs (stale-while-revalidate)', async () => {
        const fresh = await gql<UserData>(stack, USER, { id: '12' })
        // A slow users service keeps the refresh in flight while the burst below reads.
        await setFaults(stack.mocks.urls.users, { latencyMs: 800 })
        const refreshesBefore = await counter(stack, 'users:user', 'refreshes')
        await waitFor(async () => (await gql<UserData>(stack, USER, { id: '12' })) && (await counter(stack, 'users:user', 'refreshes')) > refreshesBefore, {
          timeoutMs: 8_000,
          message: 'a stale-while-revalidate answer',
        })
        const staleBefore = await counter(stack, 'users:user', 'staleServed')
        const burst = await Promise.all(Array.from({ length: 20 }, () => gql<UserData>(stack, USER, { id: '12' })))
        for (const answer of burst) expect(answer).toEqual(fresh)
        expect(await counter(stack, 'users:user', 'staleServed')).toBeGreaterThan(staleBefore)
        expect((await counter(stack, 'users:user', 'refreshes')) - refreshesBefore).toBe(1)
        await waitFor(async () => (await usersCalls()) >= 2, { timeoutMs: 3_000, message: 'the background refresh' })
        expect(await usersCalls()).toBe(2)
      })

      // Last in this stack: it leaves the users service's downstream breaker open.
      it('serves a stale entry with an extensions note when the downstream fails (serve-stale-on-error)', async () => {
        const fresh = await gql<UserData>(stack, USER, { id: '13' })
        await setFaults(stack.mocks.urls.users, { errorRate: 1, errorStatus: 503 })
        const stale = await waitFor(
          async () => {
            const answer = await gql<UserData>(stack, USER, { id: '13' })
            return answer.extensions?.cache?.stale === true ? answer : null
          },
          { timeoutMs: 10_000, message: 'a stale answer while users fails' },
        )
        expect(stale.data).toEqual(fresh.data)
        expect(stale.errors).toBeUndefined()
        const uncached = await gql<UserData>(stack, USER, { id: '14' })
        expect(uncached.data.user).toBeNull()
        expect(uncached.errors?.[0]?.extensions?.code).toMatch(/^DOWNSTREAM_/)
        expect(uncached.extensions).toBeUndefined()
      })
    })

    describe('with long TTLs', () => {
      let stack: CacheStack
      beforeAll(async () => {
        stack = await startCacheStack({
          ...backing.env,
          ...calm,
          CACHE_KEY_PREFIX: 'long:',
          CACHE_TTL_OVERRIDES: '{"Product.price":60,"Product.stock":60,"Product.reviews":60}',
          // Entries read in a test stay in the L1 for the whole test, however slow the machine.
          CACHE_L1_TTL_MS: '60000',
        })
      })
      afterAll(async () => {
        await stack.close()
      })
      beforeEach(async () => {
        await stack.app.cache.flush()
        await resetMocks(stack.mocks)
      })

      it('keeps an L1 in front of Redis only: the embedded store is in-process already', async () => {
        const { l1 } = await cacheReadiness(stack)
        expect(l1.enabled).toBe(backend !== 'memory')
      })

      it('reads 50 products with 10 cached (with Redis: in the L1) in one store round trip and one downstream call for the 40 misses', async () => {
        const ids = Array.from({ length: 50 }, (_, i) => String(101 + i))
        const PRODUCTS = 'query P($ids: [ID!]!) { products(ids: $ids) { id name } }'
        await gql(stack, PRODUCTS, { ids: ids.slice(0, 10) })
        await resetMocks(stack.mocks)
        await backing.resetStats()
        const [hits, misses] = [await counter(stack, 'catalog:product', 'hits'), await counter(stack, 'catalog:product', 'misses')]

        const answer = await gql<{ products: ({ id: string } | null)[] }>(stack, PRODUCTS, { ids })
        expect(answer.data.products.map((p) => p?.id)).toEqual(ids)
        expect(await routeCalls(stack.mocks.urls.catalog, 'GET /products')).toBe(1)
        expect((await counter(stack, 'catalog:product', 'hits')) - hits).toBe(10)
        expect((await counter(stack, 'catalog:product', 'misses')) - misses).toBe(40)
        // The 10 cached ones come from the L1: only the 40 others are asked of the store.
        if (backend === 'redis') {
          expect(await backing.commandCalls('mget')).toBe(1)
          expect(await backing.commandCalls('get')).toBe(0)
        }
        if (backend === 'redis-cluster') {
          // Keys spread over slots: one GET per key, auto-pipelined into one batch per node.
          expect(await backing.commandCalls('mget')).toBe(0)
          expect(await backing.commandCalls('get')).toBe(40)
        }
      })

      it('makes 200 concurrent identical home queries on a cold cache cost what one costs downstream', async () => {
        const HOME = `query H($u: ID!) { home(userId: $u) {
          user { id name }
          recentOrders(first: 3) { id items { product { name price { formatted } } } }
          recommendations(first: 5) { id name price { formatted } stock }
          notifications { unreadCount latest(first: 3) { id } } } }`
        const byRoute = async () =>
          Object.fromEntries(
            await Promise.all(
              Object.entries(stack.mocks.urls).map(async ([name, url]) => {
                const response = await request(`${url}/__admin/stats`)
                return [name, ((await response.body.json()) as { byRoute: Record<string, number> }).byRoute] as const
              }),
            ),
          )
        const single = await gql(stack, HOME, { u: '21' })
        expect(single.errors).toBeUndefined()
        const one = await byRoute()

        await stack.app.cache.flush()
        await resetMocks(stack.mocks)
        const answers = await Promise.all(Array.from({ length: 200 }, () => gql(stack, HOME, { u: '21' })))
        for (const answer of answers) expect(answer).toEqual(single)
        // Same calls, route by route, as one cold query (which itself makes two product batches:
        // order items and recommendations resolve at different times): nothing fetched twice.
        expect(await byRoute()).toEqual(one)
      })

      it('drops an entry when its domain event arrives; the next query sees the change', async () => {
        const PRODUCT = 'query P($id: ID!) { product(id: $id) { id stock price { amount } } }'
        type ProductData = { product: { stock: number; price: { amount: number } } }
        const before = (await gql<ProductData>(stack, PRODUCT, { id: '300' })).data.product
        await gql(stack, PRODUCT, { id: '300' })
        expect(await routeCalls(stack.mocks.urls.inventory, 'GET /inventory')).toBe(1)

        const stock = before.stock + 17
        await putStock(stack.mocks, '300', stock)
        // What the inventory service publishes to the log every BFF instance tails.
        await stack.eventLog.append({ type: 'inventory.changed', productId: '300', stock, priceAmount: before.price.amount })
        await waitFor(async () => (await gql<ProductData>(stack, PRODUCT, { id: '300' })).data.product.stock === stock, {
          timeoutMs: 2_000,
          message: 'the new stock after the event',
        })
        expect(await routeCalls(stack.mocks.urls.inventory, 'GET /inventory')).toBe(2)
      })

      it('lets a client read its own writes: mutations invalidate before they return', async () => {
        const ORDERS = 'query O($u: ID!) { home(userId: $u) { recentOrders(first: 3) { id } } }'
        type OrdersData = { home: { recentOrders: { id: string }[] } }
        await gql(stack, ORDERS, { u: '22' })
        const placed = await gql<{ placeOrder: { id: string } }>(
          stack,
          'mutation { placeOrder(input: { userId: "22", items: [{ productId: "5", quantity: 1 }] }) { id } }',
        )
        expect((await gql<OrdersData>(stack, ORDERS, { u: '22' })).data.home.recentOrders[0]?.id).toBe(placed.data.placeOrder.id)

        const REVIEWS = 'query R($p: ID!) { product(id: $p) { reviews(first: 3) { edges { node { id likes } } } } }'
        type ReviewsData = { product: { reviews: { edges: { node: { id: string; likes: number } }[] } } }
        const review = (await gql<ReviewsData>(stack, REVIEWS, { p: '40' })).data.product.reviews.edges[0]?.node
        expect(review).toBeDefined()
        await gql(stack, `mutation { likeReview(id: "${review?.id}") { likes } }`)
        expect((await gql<ReviewsData>(stack, REVIEWS, { p: '40' })).data.product.reviews.edges[0]?.node.likes).toBe((review?.likes ?? 0) + 1)

        const FEED = 'query F($u: ID!) { home(userId: $u) { notifications { unreadCount latest(first: 10) { id read } } } }'
        type FeedData = { home: { notifications: { unreadCount: number; latest: { id: string; read: boolean }[] } } }
        const feed = (await gql<FeedData>(stack, FEED, { u: '23' })).data.home.notifications
        const unread = feed.latest.filter((n) => !n.read).map((n) => n.id)
        expect(unread.length).toBeGreaterThan(0)
        await gql(stack, 'mutation M($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: unread })
        const after = (await gql<FeedData>(stack, FEED, { u: '23' })).data.home.notifications
        expect(after.unreadCount).toBe(feed.unreadCount - unread.length)
        expect(after.latest.every((n) => n.read)).toBe(true)
      })

      it('never serves one user PRIVATE entries cached for another', async () => {
        const HOME = 'query H($u: ID!) { home(userId: $u) { recentOrders(first: 5) { id user { id } } notifications { latest(first: 5) { id } } } }'
        type HomeData = { home: { recentOrders: { id: string; user: { id: string } }[]; notifications: { latest: { id: string }[] } } }
        const users = ['31', '32']
        const first = await Promise.all(users.map((u) => gql<HomeData>(stack, HOME, { u })))
        const again = await Promise.all(users.map((u) => gql<HomeData>(stack, HOME, { u })))
        users.forEach((u, i) => {
          expect(again[i]).toEqual(first[i])
          for (const order of again[i]?.data.home.recentOrders ?? []) expect(order.user.id).toBe(u)
        })
        const [a, b] = again.map((answer) => answer.data.home.notifications.latest.map((n) => n.id))
        expect(a?.some((id) => b?.includes(id))).toBe(false)
        expect(await counter(stack, 'orders:user-orders', 'misses')).toBeGreaterThanOrEqual(2)
      })
    })
  })
}
