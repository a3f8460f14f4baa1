/** What the cache did for one resource type since start-up. */
export interface CounterSet {
  /** Served from the cache while fresh. */
  hits: number
  /** Not in the cache (or expired): fetched downstream, or joined a fetch already running. */
  misses: number
  /** Served past maxAge: during stale-while-revalidate or because the downstream failed. */
  staleServed: number
  /** Background refreshes started for stale-while-revalidate. */
  refreshes: number
  /** Store calls that failed or timed out (not the ones the breaker skipped), and entries that failed validation. */
  errors: number
  /**
   * Entries the store evicted for space: the in-process store's own, or Redis's
   * (maxmemory policy) from its keyspace notifications, when the server
   * publishes them (readiness `evictionEvents`).
   */
  evictions: number
  /** Of the hits, those served by the in-process L1 in front of Redis (no round trip). */
  l1Hits: number
}

export type CounterName = keyof CounterSet

export interface CacheCounters {
  add(resource: string, counter: CounterName, count?: number): void
  /** A JSON-safe copy, by resource (e.g. `catalog:product`). */
  snapshot(): Readonly<Record<string, Readonly<CounterSet>>>
}

/** Plain counters per resource; created per app, never module-level. */
export function createCacheCounters(): CacheCounters {
  const sets = new Map<string, CounterSet>()
  return {
    add(resource, counter, count = 1) {
      let set = sets.get(resource)
      if (set === undefined) {
        set = { hits: 0, misses: 0, staleServed: 0, refreshes: 0, errors: 0, evictions: 0, l1Hits: 0 }
        sets.set(resource, set)
      }
      set[counter] += count
    },
    snapshot: () => Object.fromEntries([...sets].map(([resource, set]) => [resource, { ...set }])),
  }
}
