import { LRUCache } from 'lru-cache'
import { deepFreeze } from '../lib/deep-freeze.js'
import { createDropLedger } from './drop-ledger.js'
import type { Entry } from './envelope.js'

export interface NearStoreOptions {
  /** Most entries held; the least recently used is dropped past it. Positive integer. @default 10_000 */
  readonly maxEntries?: undefined | number
  /** Longest an entry is held (ms), whatever its freshness. Positive integer. @default 1_000 */
  readonly ttlMs?: undefined | number
  /**
   * Whether the L1 starts in use. With Redis it starts suspended: until the
   * invalidation channel is subscribed, other instances' invalidations would
   * go unheard. @default true
   */
  readonly active?: undefined | boolean
}

/**
 * The in-process L1 ("near cache") in front of the store: decoded entries of
 * PUBLIC entities by store key, so a warm read costs neither a store round
 * trip nor a JSON.parse and contract check. It only ever holds fresh entries,
 * and for at most `ttlMs`: anything past freshness goes back to the store
 * path, which alone decides revalidate / stale / expired.
 */
export interface NearStore {
  /** False while suspended (the invalidation channel is not subscribed): nothing is served or filled. */
  readonly active: boolean
  /** Entries held now (expired ones included until they are read or evicted). */
  readonly size: number
  /** Invalidation generation, taken before a read whose result may fill the L1 (see `fill`). */
  mark(): number
  /** The entry under `key` if it is still fresh at `nowMs` and within its L1 lifetime. */
  get(key: string, nowMs: number): Entry<unknown> | undefined
  /**
   * Holds a fresh entry for min(ttlMs, freshUntil − nowMs). Ignored when the
   * entry is not fresh, or when `key` was invalidated (or the L1 cleared)
   * since `since` was marked: the read that produced the entry may have raced
   * the invalidation and returned the old value.
   */
  fill(key: string, entry: Entry<unknown>, nowMs: number, since: number): void
  /** Drops keys (an invalidation, local or heard from another instance). */
  delete(keys: readonly string[]): void
  /** Drops everything (namespace flush, too many missed invalidations). */
  clear(): void
  /** Stops serving and filling, and drops everything: invalidations can no longer be heard. */
  suspend(): void
  /** Serves and fills again; reads marked before now still never fill. */
  resume(): void
}

interface Held {
  readonly entry: Entry<unknown>
  /** min(fill time + ttlMs, freshUntil), epoch ms. */
  readonly until: number
}

/**
 * Invalidated keys remembered for the fill check. A store read lasts at most
 * the store's call limit (100 ms by default), so this covers far more
 * invalidations than can land during one; past it, reads older than the
 * forgotten record fill nothing, which is safe.
 */
const REMEMBERED_INVALIDATIONS = 10_000

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`createNearStore: ${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}

export function createNearStore(options: NearStoreOptions = {}): NearStore {
  const maxEntries = positive('maxEntries', options.maxEntries ?? 10_000)
  const ttlMs = positive('ttlMs', options.ttlMs ?? 1_000)
  // Expired entries are dropped when read; no timers per entry, and the clock is the caller's.
  const held = new LRUCache<string, Held>({ max: maxEntries })
  let active = options.active ?? true
  const drops = createDropLedger(REMEMBERED_INVALIDATIONS)

  const forgetAll = (): void => {
    drops.reset()
    held.clear()
  }

  return {
    get active() {
      return active
    },
    get size() {
      return held.size
    },
    mark: drops.mark,
    get(key, nowMs) {
      if (!active) return undefined
      const found = held.get(key)
      if (found === undefined) return undefined
      if (nowMs < found.until) return found.entry
      held.delete(key)
      return undefined
    },
    fill(key, entry, nowMs, since) {
      if (!active || nowMs >= entry.freshUntil || drops.droppedSince(since, [key])) return
      deepFreeze(entry.value)
      held.set(key, { entry, until: Math.min(nowMs + ttlMs, entry.freshUntil) })
    },
    delete(keys) {
      if (keys.length === 0) return
      for (const key of keys) held.delete(key)
      drops.dropped(keys)
    },
    clear: forgetAll,
    suspend() {
      active = false
      forgetAll()
    },
    resume() {
      // A read that started while suspended may have missed an invalidation nobody told us about.
      forgetAll()
      active = true
    },
  }
}

/** The L1 as one resource's read path sees it. */
export interface NearView<T> {
  mark(): number
  get(key: string, nowMs: number): Entry<T> | undefined
  fill(key: string, entry: Entry<T>, nowMs: number, since: number): void
}

export function nearViewOf<T>(near: NearStore): NearView<T> {
  return {
    mark: () => near.mark(),
    // Keys embed the resource (`<service>:<name>:<id>`) and only this resource's view
    // fills under them, so what is held under one was checked against T's contract.
    get: (key, nowMs) => near.get(key, nowMs) as Entry<T> | undefined,
    fill: (key, entry, nowMs, since) => near.fill(key, entry, nowMs, since),
  }
}
