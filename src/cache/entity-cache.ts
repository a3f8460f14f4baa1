import type { FastifyBaseLogger } from 'fastify'
import type { Store, StoreBackend } from './store.js'
import type { CacheCounters } from './counters.js'
import { entryDecoder } from './envelope.js'
import { createFlights, createSharedCalls } from './flights.js'
import { createRefreshQueue } from './refresh-queue.js'
import type { Invalidation } from './invalidation-bus.js'
import type { Keyspace } from './keys.js'
import type { SignalSource } from '../lib/lazy-abort.js'
import { nearViewOf, type NearStore } from './near-store.js'
import type { ResourceRuntime } from './read-through.js'
import type { ReadTrail } from './read-trail.js'
import type { ResponseCache } from './response-cache.js'
import { createPassThroughCache, createRequestCache, type CacheCore, type RequestCache } from './request-cache.js'
import { labelOf, type FetchFailures, type InvalidationTarget, type ResourceDef, type ResourceTable, type ValueOf } from './resource-table.js'
import { policyFor, type CacheScope, type PolicyDefaults, type SchemaCacheHints } from './ttl-policy.js'

export interface EntityCacheOptions<Table extends ResourceTable> {
  /** What is cached, keyed how (the data layer's resource table). */
  readonly resources: Table
  /** Which fetch failures mean "not found" or allow a stale answer, and the errors to throw for them. */
  readonly failures: FetchFailures
  /** null: caching disabled (CACHE_ENABLED=false); every read goes downstream. */
  readonly store: Store | null
  readonly keyspace: Keyspace
  /** The SDL's @cacheControl hints, config overrides applied. */
  readonly hints: SchemaCacheHints
  readonly defaults: PolicyDefaults
  /** Lease held while fetching (ms) and how long others wait for its write (ms). */
  readonly lease: { readonly ttlMs: number; readonly waitMs: number }
  readonly counters: CacheCounters
  readonly log: FastifyBaseLogger
  /** Clock (epoch ms), injectable for tests. @default Date.now */
  readonly now?: undefined | (() => number)
  /** Invalidations remembered while the store is down, replayed on recovery; past it the namespace is flushed. @default 10_000 */
  readonly maxMissedInvalidations?: undefined | number
  /**
   * How often (ms) remembered invalidations are retried while any are left,
   * besides on recovery. Positive integer. @default 1_000
   */
  readonly retryMissedMs?: undefined | number
  /**
   * The in-process L1 of decoded PUBLIC entities (user, product, inventory,
   * review); every invalidation drops its keys from it. @default null (no L1)
   */
  readonly near?: undefined | NearStore | null
  /**
   * Tells the other instances what this one invalidated (Redis pub/sub), after
   * the store delete, so their L1s drop it too. A rejection is remembered like
   * a failed delete and replayed on recovery. @default none (one instance)
   */
  readonly broadcast?: undefined | ((invalidation: Invalidation) => Promise<void>)
  /**
   * Kept whole answers read from these entries (response-cache.ts): dropped
   * with every key this instance drops from its own copies, and cleared
   * with them. @default none
   */
  readonly answers?: undefined | Pick<ResponseCache, 'drop' | 'clear'> | null
}

export interface ResourcePolicyReport {
  readonly maxAgeS: number
  readonly scope: CacheScope
  readonly cached: boolean
}

/** The app-wide cache: policies, flights and invalidation; hands each request its view. */
export interface EntityCache<Table extends ResourceTable> {
  readonly backend: StoreBackend | 'disabled'
  /** The per-request view (one per GraphQL request); `trail` notes what it read, when its answer may be kept. */
  session(abort: SignalSource, trail?: undefined | ReadTrail | null): RequestCache<Table>
  /**
   * Drops entries (domain events, mutations) and stops in-flight fetches of
   * them from being written back. Never rejects: while the store is down the
   * keys are remembered and deleted on recovery.
   */
  invalidate(targets: readonly InvalidationTarget<keyof Table & string>[]): Promise<void>
  /**
   * Drops every entry of this deployment's namespace (`<prefix>v<version>:`,
   * SCAN-based on Redis), e.g. after a bad deploy or an upstream data fix.
   */
  flush(): Promise<void>
  /**
   * Replays invalidations missed during an outage. Called when the store
   * recovers, and by the cache itself every `retryMissedMs` while any are left.
   */
  recover(): Promise<void>
  /** Effective TTL and scope per resource, for readiness and docs. */
  policies(): Readonly<Record<string, ResourcePolicyReport>>
  /**
   * Applies an invalidation another instance broadcast: drops the keys from
   * the L1 and stops this instance's in-flight fetches of them from being
   * written back (their answers predate the change). The store itself was
   * already changed by the sender.
   */
  heard(invalidation: Invalidation): void
  /** Stops background refreshes and lease waits. */
  close(): void
}

/**
 * Background refreshes of one resource wait this long (ms) for others to share
 * their call; the stale value is served meanwhile, so no reader waits for it.
 */
const REFRESH_WINDOW_MS = 25
/** Ids per coalesced refresh call: the batch loaders' limit. */
const REFRESH_MAX_BATCH = 200

export function createEntityCache<Table extends ResourceTable>(options: EntityCacheOptions<Table>): EntityCache<Table> {
  const { store, keyspace, counters, log } = options
  const maxMissed = options.maxMissedInvalidations ?? 10_000
  const retryMissedMs = options.retryMissedMs ?? 1_000
  if (!Number.isSafeInteger(retryMissedMs) || retryMissedMs < 1) {
    throw new TypeError(`createEntityCache: retryMissedMs must be a positive integer, got ${String(retryMissedMs)}`)
  }
  const near = store === null ? null : (options.near ?? null)
  const broadcast = store === null ? undefined : options.broadcast
  const calls = createSharedCalls()

  const runtimeOf = <T>(def: ResourceDef<T>): ResourceRuntime<T> => {
    const policy = policyFor(options.hints, def.coordinates, options.defaults, def.invalidatedByEvents === true)
    // An id names no owner: caching a PRIVATE value under it would share it with everyone.
    const usable = def.kind === 'owned' || policy.scope === 'PUBLIC'
    if (!usable && policy.maxAgeMs > 0) log.warn({ resource: labelOf(def) }, 'PRIVATE resource keyed by id is not cached')
    return {
      def,
      label: labelOf(def),
      policy: usable ? policy : { ...policy, maxAgeMs: 0 },
      flights: createFlights<T>(),
      refreshes: createRefreshQueue<T>({ windowMs: REFRESH_WINDOW_MS, maxBatch: REFRESH_MAX_BATCH }),
      near: null,
      decode: entryDecoder(def.schema),
    }
  }
  /**
   * Only entities read by id get the L1: they are what every screen reads again
   * and again, their keys are plain (no group members to keep in step), and a
   * PUBLIC value needs no owner check before it is served.
   */
  const entityRuntimeOf = <T>(def: ResourceDef<T>): ResourceRuntime<T> => {
    const rt = runtimeOf(def)
    const cached = near !== null && def.kind === 'entity' && rt.policy.scope === 'PUBLIC' && rt.policy.maxAgeMs > 0
    return cached ? { ...rt, near: nearViewOf<T>(near) } : rt
  }
  const runtimes = new Map<string, ResourceRuntime<unknown>>()
  for (const [name, def] of Object.entries(options.resources)) runtimes.set(name, def.kind === 'entity' ? entityRuntimeOf(def) : runtimeOf(def))
  const all = [...runtimes.values()]
  const runtime = <R extends keyof Table & string>(resource: R): ResourceRuntime<ValueOf<Table, R>> => {
    const rt = runtimes.get(resource)
    if (rt === undefined) throw new TypeError(`entity cache: no resource named ${resource}`)
    // Built from options.resources[resource] above, so its values are that resource's.
    return rt as ResourceRuntime<ValueOf<Table, R>>
  }

  const keyOf = (resource: keyof Table & string, id: string): string => {
    const { def } = runtime(resource)
    return def.kind === 'owned' ? keyspace.owned(def.service, def.name, id) : keyspace.entity(def.service, def.name, id)
  }

  const missed = new Set<string>()
  let overflowed = false
  let retry: NodeJS.Timeout | null = null
  /**
   * Retries on a timer, not only when the breaker recovers: with one Redis
   * Cluster master down, calls to the other masters keep succeeding, so the
   * breaker may never open, and then never recovers either. A replica
   * promoted in that master's place still holds the entries whose deletes
   * failed; without a retry they would be served until their TTL.
   */
  const retryLater = (): void => {
    if (retry !== null || calls.closed) return
    retry = setTimeout(() => {
      retry = null
      recover().catch((err: unknown) => log.warn({ err }, 'replaying missed cache invalidations failed'))
    }, retryMissedMs)
    retry.unref()
  }
  const remember = (keys: readonly string[]): void => {
    for (const key of keys) {
      if (missed.size >= maxMissed) overflowed = true
      else missed.add(key)
    }
    retryLater()
  }

  const deleteKeys = async (keys: readonly string[]): Promise<void> => {
    if (store === null || keys.length === 0) return
    try {
      await store.invalidate(keys)
      // Only once the store delete landed: an instance that hears of it and reads the
      // store again must not find the old value there (in a cluster the two commands
      // travel to different nodes, so pipelining them would not order them).
      await broadcast?.({ keys })
    } catch (error) {
      remember(keys)
      log.debug({ err: error, keys: keys.length }, 'cache invalidation deferred until the store recovers')
    }
  }

  // This instance's copies of entries (the L1, kept answers): every drop reaches both.
  const answers = options.answers ?? null
  const dropCopies = (keys: readonly string[]): void => {
    near?.delete(keys)
    answers?.drop(keys)
  }
  const clearCopies = (): void => {
    near?.clear()
    answers?.clear()
  }

  const dropLocally = (keys: readonly string[]): void => {
    const dropped = new Set(keys)
    for (const rt of all) rt.flights.invalidate(dropped)
    dropCopies(keys)
  }

  const dropAllLocally = (): void => {
    for (const rt of all) rt.flights.invalidateAll()
    clearCopies()
  }

  /** Tells the other instances to drop their whole L1; if the message is lost, their L1 TTL bounds what they serve. */
  const broadcastAll = async (): Promise<void> => {
    await broadcast?.({ all: true }).catch((err: unknown) => log.warn({ err }, 'cache flush not broadcast to other instances'))
  }

  const invalidate = async (targets: readonly InvalidationTarget<keyof Table & string>[]): Promise<void> => {
    const keys = [...new Set(targets.map((target) => keyOf(target.resource, target.id)))]
    dropLocally(keys)
    await deleteKeys(keys)
  }

  async function recover(): Promise<void> {
    if (store === null) return
    if (overflowed) {
      overflowed = false
      missed.clear()
      // More changes were missed than remembered: nothing cached before the outage can be trusted.
      clearCopies()
      const flushed = await store.invalidatePrefix(keyspace.namespace).catch(() => null)
      if (flushed === null) {
        overflowed = true
        retryLater()
        return
      }
      log.info({ flushed }, 'cache namespace flushed after an outage with too many missed invalidations')
      await broadcastAll()
      return
    }
    if (missed.size === 0) return
    const keys = [...missed]
    missed.clear()
    dropCopies(keys)
    await deleteKeys(keys)
  }

  const core: CacheCore<Table> | null =
    store === null
      ? null
      : {
          env: { store, keyspace, counters, now: options.now ?? Date.now, lease: options.lease, calls, failures: options.failures, log },
          runtime,
          caches: (resource) => runtime(resource).policy.maxAgeMs > 0,
          keyOf,
          invalidate,
          indexKey: (resource, itemId) => {
            const { def } = runtime(resource)
            return keyspace.entity(def.service, `${def.name}-owner`, itemId)
          },
        }

  return {
    backend: store === null ? 'disabled' : store.backend,
    session: (abort, trail = null) => (core === null ? createPassThroughCache<Table>(abort, trail) : createRequestCache(core, abort, trail)),
    invalidate,
    async flush() {
      if (store === null) return
      dropAllLocally()
      await store.invalidatePrefix(keyspace.namespace)
      await broadcastAll()
    },
    recover,
    heard(invalidation) {
      if ('all' in invalidation) dropAllLocally()
      else dropLocally(invalidation.keys)
    },
    policies: () =>
      Object.fromEntries(
        all.map((rt) => [
          rt.label,
          { maxAgeS: rt.policy.maxAgeMs / 1_000, scope: rt.policy.scope, cached: store !== null && rt.policy.maxAgeMs > 0 },
        ]),
      ),
    close() {
      calls.close()
      if (retry !== null) clearTimeout(retry)
      retry = null
    },
  }
}
