import { describe, expect, it } from 'vitest'
import type { Store, StoreAddress } from '../../../src/cache/store.js'
import type { Invalidation } from '../../../src/cache/invalidation-bus.js'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { createNearStore, type NearStore } from '../../../src/cache/near-store.js'
import type { ProductDto } from '../../../src/downstream/dto.js'
import { createDeferred, testCache, type Deferred } from './fixtures.js'

const product = (id: string, name = `p${id}`): ProductDto => ({ id, name, description: 'd', category: 'c', images: [] })
const signal = (): AbortSignal => new AbortController().signal
const names = (results: readonly (ProductDto | null | Error)[]): (string | null)[] =>
  results.map((p) => (p === null || p instanceof Error ? null : p.name))

/** The in-process store, recording the keys of every read; `gate` holds the next read until resolved. */
function countingStore() {
  const inner = createMemoryStore()
  const reads: string[][] = []
  let gate: Deferred<void> | null = null
  const store: Store = {
    ...inner,
    // Stands in for Redis, the store the L1 is for: values come back as strings, decoded per read.
    getDecoded: undefined,
    async getMany(addresses: readonly StoreAddress[]) {
      reads.push(addresses.map((address) => address.key))
      const held = gate
      gate = null
      const raws = await inner.getMany(addresses)
      await held?.promise
      return raws
    },
  }
  return {
    store,
    reads,
    holdNextRead(): Deferred<void> {
      gate = createDeferred<void>()
      return gate
    },
  }
}

/** A catalog batch fetch answering `name(id)`; records each call's ids. */
function catalog(name: (id: string) => string = (id) => `p${id}`) {
  const calls: string[][] = []
  const fetch = async (ids: readonly string[]) => {
    calls.push([...ids])
    return ids.map((id) => product(id, name(id)))
  }
  return { calls, fetch }
}

function setup(options: { readonly near?: NearStore; readonly broadcast?: (invalidation: Invalidation) => Promise<void> } = {}) {
  const counting = countingStore()
  const near = options.near ?? createNearStore({ ttlMs: 3_600_000 })
  const test = testCache(counting.store, { near, ...(options.broadcast ? { broadcast: options.broadcast } : {}) })
  const read = (ids: readonly string[], fetch = catalog().fetch) => test.cache.session({ signal: signal() }).entities('product', ids, fetch, (p) => p.id)
  return { ...test, ...counting, near, read }
}

describe('entity cache with an L1', () => {
  it('serves a warm read from the L1 without a store read, counted as a hit', async () => {
    const { read, reads, counters } = setup()
    await read(['1', '2'])
    reads.length = 0
    expect(names(await read(['1', '2']))).toEqual(['p1', 'p2'])
    expect(reads).toEqual([])
    expect(counters.snapshot()['catalog:product']).toMatchObject({ hits: 2, misses: 2 })
  })

  it('asks the store only for the items of a batch that are not in the L1', async () => {
    const { read, reads, keyspace } = setup()
    await read(['1'])
    reads.length = 0
    await read(['1', '2', '3'])
    expect(reads).toEqual([['2', '3'].map((id) => keyspace.entity('catalog', 'product', id))])
  })

  it('fills the L1 from fresh store reads too (another instance wrote the entry)', async () => {
    const { store, reads } = countingStore()
    const writer = testCache(store)
    await writer.cache.session({ signal: signal() }).entities('product', ['1'], catalog().fetch, (p) => p.id)
    const near = createNearStore()
    const reader = testCache(store, { near })
    const read = () => reader.cache.session({ signal: signal() }).entities('product', ['1'], catalog().fetch, (p) => p.id)
    await read()
    reads.length = 0
    await read()
    expect([reads, near.size]).toEqual([[], 1])
  })

  it('never serves an entry past its freshness from the L1: the store path decides (stale-while-revalidate)', async () => {
    const { read, reads, counters, advance } = setup()
    const { calls, fetch } = catalog()
    await read(['1'], fetch)
    advance(601_000) // Product maxAge 600 s; the L1 TTL (1 h) alone would still hold it
    reads.length = 0
    expect(names(await read(['1'], fetch))).toEqual(['p1'])
    expect(reads).toHaveLength(1)
    expect(counters.snapshot()['catalog:product']?.staleServed).toBe(1)
    // The refresh waits a moment to be coalesced with others.
    await expect.poll(() => calls.length).toBe(2)
  })

  it('drops the entry at the L1 TTL even while it is fresh', async () => {
    const { read, reads, advance } = setup({ near: createNearStore({ ttlMs: 1_000 }) })
    await read(['1'])
    advance(1_000)
    reads.length = 0
    await read(['1'])
    expect(reads).toHaveLength(1)
  })

  it('drops invalidated keys from the L1: the next read goes to the store and downstream', async () => {
    const { cache, read, reads } = setup()
    let version = 1
    const { calls, fetch } = catalog((id) => `p${id}v${version}`)
    await read(['1'], fetch)
    version = 2
    await cache.invalidate([{ resource: 'product', id: '1' }])
    reads.length = 0
    expect(names(await read(['1'], fetch))).toEqual(['p1v2'])
    expect([reads.length, calls.length]).toEqual([1, 2])
  })

  it('keeps a store read that raced an invalidation out of the L1', async () => {
    const { cache, read, reads, holdNextRead, near } = setup()
    await read(['1'])
    near.clear() // in the store only
    const gate = holdNextRead()
    const racing = read(['1'])
    await expect.poll(() => reads.length).toBe(2)
    // The read has its (old) answer; the invalidation lands before it returns.
    await cache.invalidate([{ resource: 'product', id: '1' }])
    gate.resolve()
    await racing
    expect(near.size).toBe(0)
  })

  it('applies what another instance broadcast: keys out of the L1, in-flight fetches not written back', async () => {
    const { cache, read, reads, keyspace, near } = setup()
    await read(['1'])
    const key = keyspace.entity('catalog', 'product', '1')
    const slow = createDeferred<void>()
    let started = false
    const fetching = read(['2'], async (ids) => {
      started = true
      await slow.promise
      return ids.map((id) => product(id))
    })
    await expect.poll(() => started).toBe(true)
    cache.heard({ keys: [key, keyspace.entity('catalog', 'product', '2')] })
    slow.resolve()
    await fetching
    expect(near.size).toBe(0)
    reads.length = 0
    await read(['1', '2'])
    expect(reads).toHaveLength(1)

    await read(['1'])
    cache.heard({ all: true })
    expect(near.size).toBe(0)
  })

  it('broadcasts the keys it invalidated, after deleting them from the store', async () => {
    const sent: Invalidation[] = []
    const { cache, keyspace, store } = setup({
      broadcast: async (invalidation) => {
        // The store delete has landed by now: a listener that reads again finds no old value.
        if ('keys' in invalidation) expect(await store.getMany(invalidation.keys.map((key) => ({ key })))).toEqual([null])
        sent.push(invalidation)
      },
    })
    await cache.session({ signal: signal() }).entities('product', ['1'], catalog().fetch, (p) => p.id)
    await cache.invalidate([{ resource: 'product', id: '1' }])
    await cache.flush()
    expect(sent).toEqual([{ keys: [keyspace.entity('catalog', 'product', '1')] }, { all: true }])
  })

  it('replays a broadcast that failed once the store recovers', async () => {
    const sent: Invalidation[] = []
    let up = false
    const { cache, keyspace } = setup({
      broadcast: async (invalidation) => {
        if (!up) throw new Error('redis down')
        sent.push(invalidation)
      },
    })
    await cache.invalidate([{ resource: 'inventory', id: '9' }])
    up = true
    await cache.recover()
    expect(sent).toEqual([{ keys: [keyspace.entity('inventory', 'stock', '9')] }])
  })

  it('keeps lists and PRIVATE entries out of the L1', async () => {
    const { cache, reads, near } = setup()
    const session = () => cache.session({ signal: signal() })
    for (let i = 0; i < 2; i += 1) {
      await session().owned('recommendations', '7', '10', async () => ['1'])
      await session().list('followers', '7', '10', async () => ['8'])
    }
    expect([reads.length, near.size]).toEqual([4, 0])
  })

  it('is bypassed while suspended (invalidations cannot be heard), and used again after', async () => {
    const { read, reads, near } = setup()
    await read(['1'])
    near.suspend()
    reads.length = 0
    await read(['1'])
    await read(['1'])
    expect(reads).toHaveLength(2)
    near.resume()
    await read(['1'])
    reads.length = 0
    await read(['1'])
    expect(reads).toEqual([])
  })
})
