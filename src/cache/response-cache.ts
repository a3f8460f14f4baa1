import { LRUCache } from 'lru-cache'
import { createDropLedger } from './drop-ledger.js'
import type { ReadTrail } from './read-trail.js'

/** A kept answer: the serialized `data` of a query, and until when it may be served. */
interface Kept {
  readonly data: string
  /** While every entry it was read from is fresh. */
  readonly until: number
  /** Past `until`, while every entry it was read from may still be served stale (= `until` without `servesStale`). */
  readonly staleUntil: number
  readonly keys: ReadonlySet<string>
  /** Past `until`, the next repeat from this moment on executes, refreshing the entries then past freshness. */
  revalidateAt: number
}

export interface ResponseCacheOptions {
  /** Answers held; the least recently used beyond are dropped. Positive integer. */
  readonly maxEntries: number
  /** Answers whose serialized data is longer (UTF-16 code units) are not kept. */
  readonly maxLength: number
  /** Longest an answer is kept (ms), however fresh its entries: an answer that read none (`{ __typename }`, a field of the viewer) would otherwise never expire. */
  readonly maxHoldMs: number
  /** Whether answers are kept and served from the start; see `suspend`. @default true */
  readonly active?: undefined | boolean
  /**
   * Serve an answer past its entries' freshness, within their
   * stale-while-revalidate windows, as the entity cache serves the entries
   * themselves. Only where every write to those entries is heard (`changed`):
   * the in-process store. @default false
   */
  readonly servesStale?: undefined | boolean
}

/**
 * Whole answers in front of execution, for repeats of the same query by the
 * same viewer: a hit skips the resolvers, the data layer and serialization.
 * Correct because every answer is tied to what it was read from: it is kept
 * only when every read was a fresh entity-cache hit (ReadTrail), it expires
 * when the least fresh of those entries would, and an invalidation of any of
 * them (a mutation, a domain event, a flush) drops it at once, through the
 * same drops that clear the entity cache's in-process copies.
 *
 * With `servesStale`, an answer outlives its first entry's freshness the way
 * that entry does: the first repeat past it executes (its reads start the
 * entries' refreshes), and so does one in every half stale window after it;
 * the others are served the kept answer, until the first entry read leaves
 * its stale-while-revalidate window or a refresh brings back a value other
 * than the one read (`changed`), which drops it.
 * Refreshes that bring back the same values leave it good: every value in it
 * is still the cache's. An answer read partly past freshness is kept on the
 * same terms, its refreshes already started by the execution that read it.
 *
 * Our own piece: peers key such caches by the types and ids found in the
 * answer; here the tags are the entity-cache keys, so the answers follow the
 * entity cache's invalidations, scopes and freshness exactly.
 */
export interface ResponseCache {
  /** The kept `data` for `key`, if it is still fresh at `nowMs`. */
  get(key: string, nowMs: number): string | undefined
  /** Drop generation, taken before an operation reads anything (see `keep`). */
  mark(): number
  /**
   * Keeps `data` (serialized) as read along `trail`. Ignored when the trail is
   * spoiled or past freshness (with `servesStale`: past its stale window), or
   * when an entry it read was dropped since `since` was marked (or everything
   * was): that invalidation landed while the operation ran, and its answer may
   * hold the old value.
   */
  keep(key: string, data: string, trail: ReadTrail, since: number, nowMs: number): void
  /** Drops every answer read from any of these entity-cache keys. */
  drop(entityKeys: readonly string[]): void
  /** An entry under this entity-cache key was written with a value other than the one it held: drops the answers read from it. */
  changed(entityKey: string): void
  /** Drops everything (namespace flush). */
  clear(): void
  /**
   * Drops everything, and keeps and serves nothing until `resume`: with
   * Redis, while this instance cannot hear the others' invalidations (as
   * the L1 does, and for the same reason).
   */
  suspend(): void
  resume(): void
  readonly active: boolean
  readonly size: number
  /**
   * Lookups answered and not, answers kept, and answers dropped by invalidations or changed values, since
   * start; `staleHits` are the hits served past freshness (counted in `hits` too), `revalidations` the
   * executions let through for them.
   */
  stats(): ResponseCacheStats
}

export interface ResponseCacheStats {
  readonly hits: number
  readonly misses: number
  readonly kept: number
  readonly dropped: number
  readonly staleHits: number
  readonly revalidations: number
}

/**
 * While an answer is served past freshness, one repeat in every half of its
 * stale window executes: an entry that stops being fresh meanwhile is then
 * refreshed inside its own window, as a read of it would, rather than found
 * past it (a miss, waited for) by the execution that follows the answer.
 */
const revalidateEvery = (kept: Pick<Kept, 'until' | 'staleUntil'>): number => (kept.staleUntil - kept.until) / 2

/** Dropped entity keys remembered for the keep check; an operation overlapping more drops than this keeps nothing. */
const REMEMBERED_DROPS = 10_000

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { maxEntries, maxLength, maxHoldMs } = options
  const servesStale = options.servesStale ?? false
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new TypeError(`createResponseCache: maxEntries must be a positive integer, got ${String(maxEntries)}`)
  /** Entity-cache key → the answers read from it. */
  const byEntity = new Map<string, Set<string>>()
  const untag = (key: string, kept: Kept): void => {
    for (const entityKey of kept.keys) {
      const answers = byEntity.get(entityKey)
      if (answers === undefined) continue
      answers.delete(key)
      if (answers.size === 0) byEntity.delete(entityKey)
    }
  }
  const answers = new LRUCache<string, Kept>({ max: maxEntries, dispose: (kept, key) => untag(key, kept) })
  const drops = createDropLedger(REMEMBERED_DROPS)
  let active = options.active ?? true
  const counted = { hits: 0, misses: 0, kept: 0, dropped: 0, staleHits: 0, revalidations: 0 }
  const drop = (entityKeys: readonly string[]): void => {
    drops.dropped(entityKeys)
    for (const entityKey of entityKeys) {
      const tagged = byEntity.get(entityKey)
      if (tagged === undefined) continue
      // dispose() edits the sets while this runs: iterate over a copy.
      for (const key of [...tagged]) if (answers.delete(key)) counted.dropped += 1
    }
  }
  const clear = (): void => {
    drops.reset()
    answers.clear()
    byEntity.clear()
  }

  return {
    get(key, nowMs) {
      if (!active) return undefined
      const kept = answers.get(key)
      if (kept !== undefined && kept.until > nowMs) {
        counted.hits += 1
        return kept.data
      }
      if (kept !== undefined && kept.staleUntil > nowMs) {
        if (nowMs < kept.revalidateAt) {
          counted.hits += 1
          counted.staleHits += 1
          return kept.data
        }
        // This one executes: its reads refresh the entries past freshness; its answer replaces this one if it may be kept.
        kept.revalidateAt = nowMs + revalidateEvery(kept)
        counted.revalidations += 1
      } else if (kept !== undefined) answers.delete(key)
      counted.misses += 1
      return undefined
    },
    mark: drops.mark,
    keep(key, data, trail, since, nowMs) {
      if (!active || trail.spoiled || data.length > maxLength) return
      // Read past freshness: the refreshes were started by this very operation, as a revalidating repeat's are.
      const pastFresh = trail.freshUntil <= nowMs
      if (pastFresh && (!servesStale || trail.staleUntil <= nowMs)) return
      if (drops.droppedSince(since, trail.keys)) return
      // The trail is the operation's own and ends with it: its set of keys is taken, not copied.
      const until = Math.min(trail.freshUntil, nowMs + maxHoldMs)
      const staleUntil = servesStale ? Math.max(until, Math.min(trail.staleUntil, nowMs + maxHoldMs)) : until
      const revalidateAt = pastFresh ? nowMs + revalidateEvery({ until, staleUntil }) : until
      const kept: Kept = { data, until, staleUntil, keys: trail.keys, revalidateAt }
      answers.set(key, kept)
      counted.kept += 1
      for (const entityKey of kept.keys) {
        let tagged = byEntity.get(entityKey)
        if (tagged === undefined) byEntity.set(entityKey, (tagged = new Set()))
        tagged.add(key)
      }
    },
    drop,
    changed: (entityKey) => drop([entityKey]),
    clear,
    suspend() {
      active = false
      clear()
    },
    resume() {
      // What was read while suspended may predate an invalidation nobody told us about.
      clear()
      active = true
    },
    get active() {
      return active
    },
    get size() {
      return answers.size
    },
    stats: () => ({ ...counted }),
  }
}
