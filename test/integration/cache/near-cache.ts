import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, putStock, startBacking, startCacheStack, startPeer, type Backend, type Backing, type CacheStack } from './cache-stack.js'

const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name stock price { amount } } }'
const PRODUCTS = 'query P($ids: [ID!]!) { products(ids: $ids) { id name } }'
type ProductData = { product: { id: string; name: string; stock: number; price: { amount: number } } }

/** Behaviour, not outages: a generous Redis limit keeps a starved redis-server from turning L1 checks into misses. */
const CALM = { CACHE_REDIS_TIMEOUT_MS: '1000', CACHE_BREAKER_THRESHOLD: '50' }
/** Entries stay fresh, and in the L1, for the whole test however slow the machine: only invalidations drop them. */
const LONG = { CACHE_L1_TTL_MS: '60000', CACHE_TTL_OVERRIDES: '{"Product.price":60,"Product.stock":60}' }

async function product(stack: Pick<CacheStack, 'bffUrl'>, id: string): Promise<ProductData['product']> {
  const answer = await gql(stack, PRODUCT, { id })
  expect(answer.body.errors).toBeUndefined()
  return (answer.body.data as ProductData).product
}

/**
 * The in-process L1 over a shared Redis (standalone or Cluster), one suite
 * per backend file. Store traffic is read from Redis itself (INFO
 * commandstats), so "served from the L1" means "no store read was made".
 */
export function describeNearCache(backend: Exclude<Backend, 'memory'>): void {
  describe(`L1 over ${backend}`, () => {
    let backing: Backing
    const storeReads = async (): Promise<number> => (await backing.commandCalls('mget')) + (await backing.commandCalls('get'))
    beforeAll(async () => {
      backing = await startBacking(backend)
    })
    afterAll(async () => {
      await backing?.stop()
    })

    describe('on one instance', () => {
      let stack: CacheStack
      beforeAll(async () => {
        stack = await startCacheStack({ ...backing.env, ...CALM, ...LONG, CACHE_KEY_PREFIX: 'l1-one:' })
      })
      afterAll(async () => {
        await stack?.close()
      })

      it('serves a warm read from the L1 without a store read, counted as hits', async () => {
        const first = await product(stack, '501')
        await backing.resetStats()
        const hits = [await counter(stack, 'catalog:product', 'hits'), await counter(stack, 'inventory:stock', 'hits')]
        expect(await product(stack, '501')).toEqual(first)
        expect(await storeReads()).toBe(0)
        expect([await counter(stack, 'catalog:product', 'hits'), await counter(stack, 'inventory:stock', 'hits')]).toEqual(hits.map((n) => n + 1))
      })
    })

    describe('bounded by CACHE_L1_MAX_ENTRIES', () => {
      let stack: CacheStack
      beforeAll(async () => {
        stack = await startCacheStack({ ...backing.env, ...CALM, ...LONG, CACHE_KEY_PREFIX: 'l1-small:', CACHE_L1_MAX_ENTRIES: '5' })
      })
      afterAll(async () => {
        await stack?.close()
      })

      it('holds at most that many entries; the others are read from the store', async () => {
        const ids = Array.from({ length: 20 }, (_, i) => String(601 + i))
        await gql(stack, PRODUCTS, { ids })
        expect((await cacheReadiness(stack)).l1.entries).toBe(5)
        await backing.resetStats()
        const hits = await counter(stack, 'catalog:product', 'hits')
        await gql(stack, PRODUCTS, { ids })
        expect((await counter(stack, 'catalog:product', 'hits')) - hits).toBe(20)
        // Standalone: one MGET for the 15 not held; cluster: one GET each.
        expect(await storeReads()).toBe(backend === 'redis' ? 1 : 15)
      })
    })

    describe('with CACHE_L1_MAX_ENTRIES=0', () => {
      let stack: CacheStack
      beforeAll(async () => {
        stack = await startCacheStack({ ...backing.env, ...CALM, ...LONG, CACHE_KEY_PREFIX: 'l1-off:', CACHE_L1_MAX_ENTRIES: '0' })
      })
      afterAll(async () => {
        await stack?.close()
      })

      it('has no L1: every warm read is a store read', async () => {
        expect((await cacheReadiness(stack)).l1).toMatchObject({ enabled: false, entries: 0 })
        await gql(stack, PRODUCTS, { ids: ['701', '702'] })
        await backing.resetStats()
        const hits = await counter(stack, 'catalog:product', 'hits')
        await gql(stack, PRODUCTS, { ids: ['701', '702'] })
        expect((await counter(stack, 'catalog:product', 'hits')) - hits).toBe(2)
        expect(await storeReads()).toBe(backend === 'redis' ? 1 : 2)
      })
    })

    describe('two instances on one Redis', () => {
      let a: CacheStack
      let b: CacheStack
      beforeAll(async () => {
        const env = { ...backing.env, ...CALM, ...LONG, CACHE_KEY_PREFIX: 'l1-two:' }
        a = await startCacheStack(env)
        b = await startPeer(a, env)
      })
      afterAll(async () => {
        await b?.close()
        await a?.close()
      })

      const received = async (stack: CacheStack): Promise<number> => (await cacheReadiness(stack)).l1.received

      it('an invalidation on one instance drops the entry from the other L1 before it is served again', async () => {
        const before = await product(b, '300')
        await product(b, '300')
        // B holds product 300 in its L1: it answers without reading the store.
        await backing.resetStats()
        expect(await product(b, '300')).toEqual(before)
        expect(await storeReads()).toBe(0)

        const stock = before.stock + 17
        await putStock(a.mocks, '300', stock)
        const [heardByA, heardByB] = [await received(a), await received(b)]
        // Only A reads this event; B learns of it through the broadcast alone.
        await a.eventLog.append({ type: 'inventory.changed', productId: '300', stock, priceAmount: before.price.amount })
        await waitFor(async () => (await received(b)) > heardByB, { timeoutMs: 5_000, message: 'B to hear the invalidation' })

        expect((await product(b, '300')).stock).toBe(stock)
        // A ignores its own broadcast (it dropped the entry before sending it).
        expect(await received(a)).toBe(heardByA)
      })

      it('a flush on one instance empties the other L1', async () => {
        await product(b, '301')
        expect((await cacheReadiness(b)).l1.entries).toBeGreaterThan(0)
        const heard = await received(b)
        await a.app.cache.flush()
        await waitFor(async () => (await received(b)) > heard, { timeoutMs: 5_000, message: 'B to hear the flush' })
        expect((await cacheReadiness(b)).l1.entries).toBe(0)
      })
    })
  })
}
