import { describe, expect, it, onTestFinished, vi } from 'vitest'
import type { Store } from '../../../src/cache/store.js'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import type { ProductDto } from '../../../src/downstream/dto.js'
import { waitFor } from '../../helpers/wait-for.js'
import { testCache } from './fixtures.js'

const RETRY_MS = 20

/** The in-process store, whose deletes fail while `down` (a master of a Cluster that is gone). */
function flakyStore() {
  const inner = createMemoryStore()
  const state = { down: false, deletes: 0 }
  const store: Store = {
    ...inner,
    async invalidate(keys) {
      state.deletes += 1
      if (state.down) throw new Error('that node is down')
      await inner.invalidate(keys)
    },
  }
  return { store, state }
}

function setup() {
  const { store, state } = flakyStore()
  const test = testCache(store, { retryMissedMs: RETRY_MS })
  onTestFinished(() => test.cache.close())
  const key = test.keyspace.entity('catalog', 'product', '1')
  const product: ProductDto = { id: '1', name: 'p1', description: 'd', category: 'c', images: [] }
  const cacheProduct = () =>
    test.cache.session({ signal: new AbortController().signal }).entities('product', ['1'], async () => [product], (p) => p.id)
  const stored = async (): Promise<string | null> => (await store.getMany([{ key }]))[0] ?? null
  return { ...test, store, state, cacheProduct, stored }
}

describe('invalidations the store could not take', () => {
  it('are retried on their own until they land, with no recovery call', async () => {
    // The case: one Cluster master down, the breaker never opens (the other masters answer), so it
    // never "recovers"; the master's replica, promoted, still holds the entry.
    const { cache, state, cacheProduct, stored } = setup()
    await cacheProduct()
    expect(await stored()).not.toBeNull()

    state.down = true
    await cache.invalidate([{ resource: 'product', id: '1' }])
    // Retried while the store keeps failing.
    await waitFor(() => state.deletes >= 3, { timeoutMs: 2_000, message: 'repeated delete attempts while down' })
    expect(await stored()).not.toBeNull()

    state.down = false
    await waitFor(async () => (await stored()) === null, { timeoutMs: 2_000, message: 'the deferred delete to land' })
  })

  it('stop once they have landed, and when the cache closes', async () => {
    vi.useFakeTimers()
    onTestFinished(() => void vi.useRealTimers())
    const { cache, state } = setup()
    state.down = true
    await cache.invalidate([{ resource: 'product', id: '1' }])
    state.down = false
    await vi.advanceTimersByTimeAsync(RETRY_MS * 5)
    // One failed attempt, one retry that landed, then nothing left to retry.
    expect(state.deletes).toBe(2)

    state.down = true
    await cache.invalidate([{ resource: 'product', id: '2' }])
    cache.close()
    await vi.advanceTimersByTimeAsync(RETRY_MS * 5)
    expect(state.deletes).toBe(3)
  })
})
