import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createMemoryCache } from '../../../src/cache/memory-cache.js'
import type { CallContext } from '../../../src/downstream/call-context.js'
import type { DownstreamClients } from '../../../src/downstream/clients.js'
import type { InventoryDto } from '../../../src/downstream/dto.js'
import { createEventDataSources } from '../../../src/subscriptions/event-data-sources.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog, testCache } from '../cache/fixtures.js'

// A full collection on demand, to see whether anything still holds an event's data sources.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const stock = (productId: string): InventoryDto => ({ productId, stock: 3, price: { amount: 1_999, currency: 'USD' } })

/** Only the inventory client: all an event resolving `stock` calls. */
function inventoryClients(inventoryByIds: (ids: readonly string[], ctx: CallContext) => Promise<readonly InventoryDto[]>): DownstreamClients {
  return { inventory: { inventoryByIds } } as unknown as DownstreamClients
}

const answering = inventoryClients(async (ids) => ids.map(stock))

describe('event data sources', () => {
  it('shares one layer among the subscribers of an event, and gives the next event its own', () => {
    const sources = createEventDataSources({ clients: answering, log: captureLog().log })
    expect(sources.forEvent('1-0')).toBe(sources.forEvent('1-0'))
    expect(sources.forEvent('2-0')).not.toBe(sources.forEvent('1-0'))
  })

  it('releases an event once its time is up, although no later event pushes it out', async () => {
    // A burst to many subscribers, then silence: every event's layer holds per-subscriber state,
    // and the entries used to stay until 256 newer events evicted them, which might never come.
    const sources = createEventDataSources({ clients: answering, log: captureLog().log, ttlMs: 20 })
    const held = new WeakRef(sources.forEvent('1-0'))
    await held.deref()?.inventory('1')
    await waitFor(
      () => {
        gc()
        return held.deref() === undefined
      },
      { timeoutMs: 2_000, message: "the event's data sources to be collected" },
    )
  })

  it('leaves nothing per event on the shutdown signal, though each event reads through the cache', async () => {
    // The cache's read session puts an abort listener on its request's signal and never takes it
    // off; on a signal shared by every event that was one listener (and its promise) per event, for good.
    const shutdown = new AbortController()
    const { cache } = testCache(createMemoryCache())
    const sources = createEventDataSources({ clients: answering, cache, log: captureLog().log, signal: shutdown.signal })
    for (let k = 1; k <= 20; k += 1) {
      // A different product each time: a cache miss, so the read waits on a downstream flight.
      expect(await sources.forEvent(`${k}-0`).inventory(String(k))).toEqual(stock(String(k)))
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1)
  })

  it('cancels the downstream calls of held events on shutdown', async () => {
    const started: string[] = []
    const hanging = inventoryClients((ids, ctx) => {
      started.push(...ids)
      return new Promise((_resolve, reject) => {
        if (ctx.signal.aborted) reject(new Error('aborted'))
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
      })
    })
    const shutdown = new AbortController()
    const sources = createEventDataSources({ clients: hanging, log: captureLog().log, signal: shutdown.signal })
    const pending = sources.forEvent('1-0').inventory('1')
    await waitFor(() => started.includes('1'), { message: 'the call to start' })
    shutdown.abort()
    await expect(pending).rejects.toThrow('aborted')
    // An event seen after shutdown starts aborted: it makes no call that would outlive the app.
    await expect(sources.forEvent('2-0').inventory('2')).rejects.toThrow('aborted')
  })
})
