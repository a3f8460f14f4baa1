import { LRUCache } from 'lru-cache'
import { deepFreeze } from '../lib/deep-freeze.js'
import type { Store, StoreAddress, StoreWrite } from './store.js'

export interface MemoryStoreOptions {
  /**
   * Most keys held (a group counts once); the least recently used is evicted
   * past it. @default 50_000
   */
  readonly maxEntries?: undefined | number
  /** Most members per group; the oldest written is dropped past it. @default 64 */
  readonly maxMembers?: undefined | number
  /** Called for each key evicted for space (not for expiry or invalidation). */
  readonly onEvict?: undefined | ((key: string) => void)
  /**
   * Called for each write, with what the key (or group member) held before it
   * (null: nothing, or it had expired or been evicted), before the write lands.
   */
  readonly onWrite?: undefined | ((key: string, before: string | null, after: string) => void)
}

/** A value as written, and its decoded form once a reader asked for one. */
class Slot {
  readonly raw: string
  decoder: ((raw: string) => unknown) | null = null
  decoded: unknown = undefined
  constructor(raw: string) {
    this.raw = raw
  }
  decodedBy<D>(decode: (raw: string) => D): D {
    if (this.decoder !== decode) {
      const decoded = decode(this.raw)
      deepFreeze(decoded)
      this.decoded = decoded
      this.decoder = decode
    }
    return this.decoded as D
  }
}

type Stored = Slot | Map<string, Slot>

/**
 * The embedded default: a bounded in-process LRU with per-key TTL, used when
 * REDIS_URL is unset. Same contract as the Redis implementation (the shared
 * suite in test/unit/cache runs against both), but per process: instances do
 * not share entries, leases or invalidations.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxEntries = options.maxEntries ?? 50_000
  const maxMembers = options.maxMembers ?? 64
  for (const [name, value] of [['maxEntries', maxEntries], ['maxMembers', maxMembers]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`createMemoryStore: ${name} must be a positive integer, got ${String(value)}`)
    }
  }
  const onEvict = options.onEvict
  const onWrite = options.onWrite
  const entries = new LRUCache<string, Stored>({
    max: maxEntries,
    // Expired entries are dropped when read; no timers per entry.
    ttlAutopurge: false,
    ...(onEvict === undefined
      ? {}
      : { dispose: (_value: Stored, key: string, reason: LRUCache.DisposeReason) => void (reason === 'evict' && onEvict(key)) }),
  })
  const leases = new LRUCache<string, true>({ max: 10_000, ttlAutopurge: false })

  const read = (address: StoreAddress): Slot | null => {
    const stored = entries.get(address.key)
    if (stored === undefined) return null
    if (address.member === undefined) return stored instanceof Slot ? stored : null
    return stored instanceof Slot ? null : (stored.get(address.member) ?? null)
  }

  const write = ({ address, value, ttlMs }: StoreWrite): void => {
    if (onWrite !== undefined) onWrite(address.key, read(address)?.raw ?? null, value)
    if (address.member === undefined) {
      entries.set(address.key, new Slot(value), { ttl: ttlMs })
      return
    }
    const current = entries.get(address.key)
    const group = current instanceof Map ? current : new Map<string, Slot>()
    group.delete(address.member)
    group.set(address.member, new Slot(value))
    if (group.size > maxMembers) {
      const oldest = group.keys().next()
      if (oldest.done !== true) group.delete(oldest.value)
    }
    entries.set(address.key, group, { ttl: ttlMs })
  }

  return {
    backend: 'memory',
    getMany: async (addresses) => addresses.map((address) => read(address)?.raw ?? null),
    async getDecoded(addresses, decode) {
      return addresses.map((address) => read(address)?.decodedBy(decode) ?? null)
    },
    async setMany(writes) {
      for (const entry of writes) write(entry)
    },
    async invalidate(keys) {
      // Lease keys live in their own map; releasing a lease is an invalidate() of its key.
      for (const key of keys) {
        entries.delete(key)
        leases.delete(key)
      }
    },
    async tryLeases(keys, ttlMs) {
      return keys.map((key) => {
        if (leases.has(key)) return false
        leases.set(key, true, { ttl: ttlMs })
        return true
      })
    },
    async invalidatePrefix(prefix) {
      let deleted = 0
      for (const key of [...entries.keys()]) {
        if (key.startsWith(prefix) && entries.delete(key)) deleted += 1
      }
      for (const key of [...leases.keys()]) {
        if (key.startsWith(prefix)) leases.delete(key)
      }
      return deleted
    },
    async close() {
      entries.clear()
      leases.clear()
    },
  }
}
