import { flightKeyOf } from './flights.js'
import type { ReadItem, ReadRequest } from './read-request.js'

/**
 * Coalesces stale-while-revalidate refreshes of one batchable resource across
 * requests. Every request that reads a stale inventory entry would otherwise
 * start its own small refresh call (the bench saw 0.6 inventory calls per
 * warm home query, one or two ids each); waiting a few ms costs nothing —
 * the stale value is being served meanwhile — and turns them into one batch.
 */
export interface RefreshQueue<T> {
  /** Queues stale items; `run` gets them all as one request when the window closes or the batch is full. */
  add(items: readonly ReadItem[], fetch: ReadRequest<T>['fetch'], run: (request: ReadRequest<T>) => void): void
}

export interface RefreshQueueOptions {
  /** How long the first queued item waits for company (ms). */
  readonly windowMs: number
  /** Items per refresh call at most (downstream `?ids=` limit). */
  readonly maxBatch: number
}

export function createRefreshQueue<T>(options: RefreshQueueOptions): RefreshQueue<T> {
  let pending = new Map<string, ReadItem>()
  let fetch: ReadRequest<T>['fetch'] | null = null
  let timer: NodeJS.Timeout | null = null

  const flush = (run: (request: ReadRequest<T>) => void): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const items = [...pending.values()]
    const batchFetch = fetch
    pending = new Map()
    fetch = null
    if (batchFetch !== null && items.length > 0) run({ items, fetch: batchFetch })
  }

  return {
    add(items, batchFetch, run) {
      // Any request's batch fetch can fetch any ids of the resource; the first one queued is used.
      fetch ??= batchFetch
      for (const item of items) pending.set(flightKeyOf(item.address), item)
      if (pending.size >= options.maxBatch) flush(run)
      // unref: a pending refresh never keeps the process alive on shutdown.
      else timer ??= setTimeout(() => flush(run), options.windowMs).unref()
    },
  }
}
