import { describe, expect, it } from 'vitest'
import type { Store } from '../../../src/cache/store.js'
import { encodeEntry } from '../../../src/cache/envelope.js'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import type { FetchScope } from '../../../src/cache/read-through.js'
import type { Page, ProductDto, OrderDto } from '../../../src/downstream/dto.js'
import { DownstreamError } from '../../../src/downstream/errors.js'
import { createDeferred, testCache } from './fixtures.js'

const product = (id: string): ProductDto => ({ id, name: `p${id}`, description: 'd', category: 'c', images: [] })
const order = (id: string, userId: string): OrderDto => ({
  id,
  userId,
  status: 'PLACED',
  createdAt: '2024-01-01T00:00:00.000Z',
  items: [],
  total: { amount: 0, currency: 'USD' },
})
const page = (items: readonly OrderDto[]): Page<OrderDto> => ({ items, cursors: items.map((o) => o.id), hasNextPage: false, endCursor: null })
const signal = (): AbortSignal => new AbortController().signal

/** A products batch fetch that records each call's ids. */
function catalog(known: (id: string) => boolean = () => true) {
  const calls: string[][] = []
  const fetch = async (ids: readonly string[]) => {
    calls.push([...ids])
    return ids.filter(known).map(product)
  }
  return { calls, fetch }
}

describe('entity cache: batch-aware reads', () => {
  it('reads N ids at once and fetches only the misses, in one call', async () => {
    const { cache } = testCache(createMemoryStore())
    const { calls, fetch } = catalog()
    await cache.session({ signal: signal() }).entities('product', ['1', '2'], fetch, (p) => p.id)
    const result = await cache.session({ signal: signal() }).entities('product', ['1', '2', '3', '4', '5'], fetch, (p) => p.id)
    expect(calls).toEqual([['1', '2'], ['3', '4', '5']])
    expect(result.map((p) => (p instanceof Error || p === null ? p : p.id))).toEqual(['1', '2', '3', '4', '5'])
  })

  it('caches "not found" briefly (negative caching)', async () => {
    const { cache, counters } = testCache(createMemoryStore())
    const { calls, fetch } = catalog((id) => id !== '404')
    const first = await cache.session({ signal: signal() }).entities('product', ['404'], fetch, (p) => p.id)
    const second = await cache.session({ signal: signal() }).entities('product', ['404'], fetch, (p) => p.id)
    expect([first, second]).toEqual([[null], [null]])
    expect(calls).toHaveLength(1)
    expect(counters.snapshot()['catalog:product']).toMatchObject({ hits: 1, misses: 1 })
  })

  it('shares one downstream call between concurrent requests missing the same keys', async () => {
    const { cache } = testCache(createMemoryStore())
    const gate = createDeferred<void>()
    let calls = 0
    const fetch = async (ids: readonly string[]) => {
      calls += 1
      await gate.promise
      return ids.map(product)
    }
    const reads = Array.from({ length: 200 }, () => cache.session({ signal: signal() }).entities('product', ['7', '8'], fetch, (p) => p.id))
    gate.resolve()
    const results = await Promise.all(reads)
    expect(calls).toBe(1)
    for (const result of results) expect(result).toEqual([product('7'), product('8')])
  })

  it('goes straight downstream when caching is disabled', async () => {
    const { cache } = testCache(null)
    const { calls, fetch } = catalog()
    await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    expect(calls).toHaveLength(2)
  })
})

describe('entity cache: stale entries', () => {
  it('serves an entry past maxAge and refreshes it once in the background (stale-while-revalidate)', async () => {
    const { cache, counters, advance } = testCache(createMemoryStore())
    const { calls, fetch } = catalog()
    await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    advance(601_000) // Product maxAge is 600 s; SWR window 10 s
    const reads = await Promise.all(Array.from({ length: 10 }, () => cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)))
    for (const read of reads) expect(read).toEqual([product('1')])
    await expect.poll(() => calls.length).toBe(2)
    expect(counters.snapshot()['catalog:product']).toMatchObject({ staleServed: 10, refreshes: 1 })
  })

  it('serves a stale entry instead of a downstream failure, and marks the request stale', async () => {
    const { cache, advance } = testCache(createMemoryStore())
    await cache.session({ signal: signal() }).entities('product', ['1'], catalog().fetch, (p) => p.id)
    advance(700_000) // past maxAge + SWR, within stale-if-error (300 s)
    const failing = async (): Promise<ProductDto[]> => {
      throw new DownstreamError('DOWNSTREAM_UNAVAILABLE', 'catalog', 'catalog service is unavailable')
    }
    const session = cache.session({ signal: signal() })
    expect(await session.entities('product', ['1', '2'], failing, (p) => p.id)).toEqual([product('1'), expect.any(DownstreamError)])
    expect(session.notes.stale).toBe(true)
  })

  it('does not hide input errors or entries past stale-if-error behind stale data', async () => {
    const { cache, advance } = testCache(createMemoryStore())
    await cache.session({ signal: signal() }).entities('product', ['1'], catalog().fetch, (p) => p.id)
    advance(700_000)
    const rejected = async (): Promise<ProductDto[]> => {
      throw new DownstreamError('BAD_USER_INPUT', 'catalog', 'catalog: bad ids')
    }
    const session = cache.session({ signal: signal() })
    expect(await session.entities('product', ['1'], rejected, (p) => p.id)).toEqual([expect.any(DownstreamError)])
    expect(session.notes.stale).toBe(false)
  })
})

describe('entity cache: invalidation and cancellation', () => {
  it('never writes back a fetch that started before an invalidation of its key', async () => {
    const { cache } = testCache(createMemoryStore())
    const gate = createDeferred<void>()
    let calls = 0
    const slow = async (ids: readonly string[]) => {
      calls += 1
      if (calls === 1) await gate.promise
      return ids.map(product)
    }
    const read = cache.session({ signal: signal() }).entities('product', ['1'], slow, (p) => p.id)
    await expect.poll(() => calls).toBe(1)
    await cache.invalidate([{ resource: 'product', id: '1' }])
    gate.resolve()
    await read
    await cache.session({ signal: signal() }).entities('product', ['1'], slow, (p) => p.id)
    expect(calls).toBe(2)
  })

  it('aborts a shared call only when every waiting request has gone', async () => {
    const { cache } = testCache(createMemoryStore())
    const gate = createDeferred<void>()
    let scope: FetchScope | undefined
    const fetch = async (ids: readonly string[], s: FetchScope) => {
      scope = s
      await gate.promise
      return ids.map(product)
    }
    const a = new AbortController()
    const b = new AbortController()
    const readA = cache.session(a).entities('product', ['1'], fetch, (p) => p.id)
    const readB = cache.session(b).entities('product', ['1'], fetch, (p) => p.id)
    a.abort()
    expect(await readA).toEqual([expect.objectContaining({ code: 'REQUEST_ABORTED' })])
    expect(scope?.signal.aborted).toBe(false)
    b.abort()
    await readB
    expect(scope?.signal.aborted).toBe(true)
    gate.resolve()
  })
})

describe('entity cache: PRIVATE entries', () => {
  it('keys owned entries by their owner and fetches for that owner only', async () => {
    const { cache } = testCache(createMemoryStore())
    const asked: string[] = []
    const fetch = async (owner: string) => {
      asked.push(owner)
      return page([order(`o-${owner}`, owner)])
    }
    const seven = await cache.session({ signal: signal() }).owned('userOrders', '7', '5:', fetch)
    const eight = await cache.session({ signal: signal() }).owned('userOrders', '8', '5:', fetch)
    const sevenAgain = await cache.session({ signal: signal() }).owned('userOrders', '7', '5:', fetch)
    expect(asked).toEqual(['7', '8'])
    expect([seven.items[0]?.userId, eight.items[0]?.userId, sevenAgain.items[0]?.userId]).toEqual(['7', '8', '7'])
  })

  it('never serves a cached value naming another owner, even under the right key', async () => {
    const store = createMemoryStore()
    const { cache, keyspace } = testCache(store)
    const forged = encodeEntry(page([order('o-7', '7')]), Date.now(), {
      scope: 'PRIVATE',
      maxAgeMs: 60_000,
      staleWhileRevalidateMs: 0,
      staleIfErrorMs: 0,
      negativeTtlMs: 0,
      freshJitter: 0,
    })
    await store.setMany([{ address: { key: keyspace.owned('orders', 'user-orders', '8'), member: '5:' }, value: forged.raw, ttlMs: 60_000 }])
    const result = await cache.session({ signal: signal() }).owned('userOrders', '8', '5:', async (owner) => page([order('o-8', owner)]))
    expect(result.items.map((o) => o.userId)).toEqual(['8'])
  })

  it('caches a 404 of an owned entry and answers NOT_FOUND again without a call', async () => {
    const { cache } = testCache(createMemoryStore())
    let calls = 0
    const missing = async (): Promise<readonly string[]> => {
      calls += 1
      throw new DownstreamError('NOT_FOUND', 'recommendations', 'recommendations: not found')
    }
    for (let i = 0; i < 2; i += 1) {
      await expect(cache.session({ signal: signal() }).owned('recommendations', '99999', '10', missing)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
    expect(calls).toBe(1)
  })
})

describe('entity cache: across instances and outages', () => {
  it('lets one instance fetch under a lease while another waits for its write', async () => {
    const store = createMemoryStore()
    const a = testCache(store, { leaseWaitMs: 2_000 })
    const b = testCache(store, { leaseWaitMs: 2_000 })
    const gate = createDeferred<void>()
    let calls = 0
    const fetch = async (ids: readonly string[]) => {
      calls += 1
      await gate.promise
      return ids.map(product)
    }
    const fromA = a.cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    await expect.poll(() => calls).toBe(1)
    const fromB = b.cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    gate.resolve()
    expect(await Promise.all([fromA, fromB])).toEqual([[product('1')], [product('1')]])
    expect(calls).toBe(1)
  })

  it('fetches by itself when the lease holder is slower than the wait', async () => {
    const store = createMemoryStore()
    const a = testCache(store, { leaseWaitMs: 30 })
    const b = testCache(store, { leaseWaitMs: 30 })
    const gate = createDeferred<void>()
    let calls = 0
    const fetch = async (ids: readonly string[]) => {
      calls += 1
      if (calls === 1) await gate.promise
      return ids.map(product)
    }
    const fromA = a.cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    expect(await b.cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)).toEqual([product('1')])
    expect(calls).toBe(2)
    gate.resolve()
    await fromA
  })

  it('bypasses a failing store for the rest of the request after its first failure', async () => {
    let reads = 0
    const broken: Store = {
      ...createMemoryStore(),
      backend: 'redis',
      getDecoded: undefined,
      getMany: async () => {
        reads += 1
        throw new Error('connection refused')
      },
    }
    const { cache, counters } = testCache(broken)
    const session = cache.session({ signal: signal() })
    const { calls, fetch } = catalog()
    expect(await session.entities('product', ['1'], fetch, (p) => p.id)).toEqual([product('1')])
    expect(await session.entities('product', ['2'], fetch, (p) => p.id)).toEqual([product('2')])
    expect(reads).toBe(1)
    expect(calls).toHaveLength(2)
    expect(counters.snapshot()['catalog:product']?.errors).toBe(1)
  })
})

describe('entity cache: readers during a background refresh', () => {
  it('keep being served the stale entry instead of waiting for the refresh', async () => {
    const { cache, advance } = testCache(createMemoryStore())
    const gate = createDeferred<void>()
    let calls = 0
    const fetch = async (ids: readonly string[]) => {
      calls += 1
      if (calls === 2) await gate.promise
      return ids.map(product)
    }
    await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)
    advance(601_000)
    expect(await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)).toEqual([product('1')])
    await expect.poll(() => calls).toBe(2)
    // The refresh hangs; a reader arriving now is not held up by it.
    expect(await cache.session({ signal: signal() }).entities('product', ['1'], fetch, (p) => p.id)).toEqual([product('1')])
    expect(calls).toBe(2)
    gate.resolve()
  })
})

describe('entity cache: the request signal', () => {
  /** A signal source that counts how often the signal was asked for. */
  function countingAbort() {
    const controller = new AbortController()
    let reads = 0
    return {
      source: {
        get signal() {
          reads += 1
          return controller.signal
        },
      },
      reads: () => reads,
      abort: () => controller.abort(),
    }
  }

  it('is never asked for while a read is answered from the store (a warm request creates no AbortSignal)', async () => {
    const { cache } = testCache(createMemoryStore())
    await cache.session({ signal: signal() }).entities('product', ['1', '2'], catalog().fetch, (p) => p.id)
    const abort = countingAbort()
    const session = cache.session(abort.source)
    expect(await session.entities('product', ['1', '2'], catalog().fetch, (p) => p.id)).toEqual([product('1'), product('2')])
    expect(abort.reads()).toBe(0)
  })

  it('is asked for once a reader has to wait on a call, and still cancels that wait', async () => {
    const { cache } = testCache(createMemoryStore())
    const gate = createDeferred<void>()
    const slow = async (ids: readonly string[]): Promise<ProductDto[]> => {
      await gate.promise
      return ids.map(product)
    }
    const first = cache.session({ signal: signal() }).entities('product', ['1'], slow, (p) => p.id)
    const abort = countingAbort()
    const second = cache.session(abort.source).entities('product', ['1'], slow, (p) => p.id)
    abort.abort()
    expect(await second).toEqual([expect.objectContaining({ code: 'REQUEST_ABORTED' })])
    expect(abort.reads()).toBeGreaterThan(0)
    gate.resolve()
    expect(await first).toEqual([product('1')])
  })
})
