import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { createDataSources, type DataSources } from '../../../src/data/data-sources.js'
import type { DataCache } from '../../../src/data/resources.js'
import { RequestCallContext, type CallContext } from '../../../src/downstream/call-context.js'
import type { DownstreamClients } from '../../../src/downstream/clients.js'
import type { InventoryDto } from '../../../src/downstream/dto.js'
import { createEventData } from '../../../src/graphql/event-data.js'
import type { LazyAbortController } from '../../../src/lib/lazy-abort.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog, testCache } from '../cache/fixtures.js'

// A full collection on demand, to see whether anything still holds an event's data layer.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const stock = (productId: string): InventoryDto => ({ productId, stock: 3, price: { amount: 1_999, currency: 'USD' } })

/** Only the inventory client: all an event resolving `stock` calls. */
function inventoryClients(inventoryByIds: (ids: readonly string[], ctx: CallContext) => Promise<readonly InventoryDto[]>): DownstreamClients {
  return { inventory: { inventoryByIds } } as unknown as DownstreamClients
}

const answering = inventoryClients(async (ids) => ids.map(stock))

/** Event layers as the operation-context builder makes them, on these clients and this cache. */
function eventData(clients: DownstreamClients, options: { cache?: DataCache; ttlMs?: number } = {}) {
  const { log } = captureLog()
  const dataFor = (eventId: string, abort: LazyAbortController): DataSources =>
    createDataSources(clients, new RequestCallContext(`event:${eventId}`, log, abort), options.cache ?? null)
  return createEventData({ dataFor, ttlMs: options.ttlMs ?? 5_000 })
}

describe('per-event data layers', () => {
  it('shares one layer among the subscribers of an event, and gives the next event its own', () => {
    const events = eventData(answering)
    expect(events.forEvent('1-0')).toBe(events.forEvent('1-0'))
    expect(events.forEvent('2-0')).not.toBe(events.forEvent('1-0'))
  })

  it('releases an event once its time is up, although no later event pushes it out', async () => {
    // A burst to many subscribers, then silence: every event's layer holds per-subscriber state,
    // and the entries used to stay until 256 newer events evicted them, which might never come.
    const events = eventData(answering, { ttlMs: 20 })
    const held = new WeakRef(events.forEvent('1-0'))
    await held.deref()?.inventory('1')
    await waitFor(
      () => {
        gc()
        return held.deref() === undefined
      },
      { timeoutMs: 2_000, message: "the event's data layer to be collected" },
    )
  })

  it('gives each event its own abort signal, so listeners left by cache reads go with the event', async () => {
    // The cache's read session puts an abort listener on its request's signal and never takes it
    // off; on one signal shared by every event that was one listener (and its promise) per event, for good.
    const { cache } = testCache(createMemoryStore())
    const signals: AbortSignal[] = []
    const { log } = captureLog()
    const events = createEventData({
      ttlMs: 5_000,
      dataFor: (eventId, abort) => {
        signals.push(abort.signal)
        return createDataSources(answering, new RequestCallContext(`event:${eventId}`, log, abort), cache)
      },
    })
    for (let k = 1; k <= 20; k += 1) {
      // A different product each time: a cache miss, so the read waits on a downstream flight.
      expect(await events.forEvent(`${k}-0`).inventory(String(k))).toEqual(stock(String(k)))
    }
    expect(new Set(signals).size).toBe(20)
    for (const signal of signals) expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1)
  })

  it('cancels the downstream calls of held events on shutdown, and later events start aborted', async () => {
    const started: string[] = []
    const hanging = inventoryClients((ids, ctx) => {
      started.push(...ids)
      return new Promise((_resolve, reject) => {
        if (ctx.signal.aborted) reject(new Error('aborted'))
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
      })
    })
    const events = eventData(hanging)
    const pending = events.forEvent('1-0').inventory('1')
    await waitFor(() => started.includes('1'), { message: 'the call to start' })
    events.close()
    await expect(pending).rejects.toThrow('aborted')
    await expect(events.forEvent('2-0').inventory('2')).rejects.toThrow('aborted')
  })
})
