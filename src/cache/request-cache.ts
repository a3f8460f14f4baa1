import type { SignalSource } from '../lib/lazy-abort.js'
import { createReadSession, ForegroundScope } from './read-env.js'
import { readThrough, type FetchScope, type ReadEnv, type ResourceRuntime } from './read-through.js'
import type { InvalidationTarget, NamesOfKind, ResourceTable, ValueOf } from './resource-table.js'
import type { ReadTrail } from './read-trail.js'
import type { StoreAddress } from './store.js'

/** The app-wide parts a request's cache view works with (built by entity-cache.ts). */
export interface CacheCore<Table extends ResourceTable> {
  readonly env: ReadEnv
  runtime<R extends keyof Table & string>(resource: R): ResourceRuntime<ValueOf<Table, R>>
  /** False when caching is off, or the resource's maxAge is 0. */
  caches(resource: keyof Table & string): boolean
  keyOf(resource: keyof Table & string, id: string): string
  invalidate(targets: readonly InvalidationTarget<keyof Table & string>[]): Promise<void>
  /** Index entry naming the owner of an item (see ResourceDef.indexes). */
  indexKey(resource: keyof Table & string, itemId: string): string
}

/**
 * The cache as one GraphQL request sees it. Private entries are reachable
 * only through `owned(resource, ownerId, …)`: the key is derived from the
 * owner, the downstream fetch is handed that same owner, and a cached value
 * naming any other owner is not served.
 */
export interface RequestCache<Table extends ResourceTable> {
  /** Entities by id for a DataLoader batch: one store read, one downstream call for the misses. */
  entities<R extends NamesOfKind<Table, 'entity'>>(
    resource: R,
    ids: readonly string[],
    fetch: (ids: readonly string[], scope: FetchScope) => Promise<readonly ValueOf<Table, R>[]>,
    idOf: (value: ValueOf<Table, R>) => string,
  ): Promise<(ValueOf<Table, R> | null | Error)[]>
  /** One variant (page arguments) of a PUBLIC list that belongs to entity `id`. */
  list<R extends NamesOfKind<Table, 'list'>>(
    resource: R,
    id: string,
    variant: string,
    fetch: (scope: FetchScope) => Promise<ValueOf<Table, R>>,
  ): Promise<ValueOf<Table, R>>
  /** One variant of a PRIVATE entry of `ownerId`. */
  owned<R extends NamesOfKind<Table, 'owned'>>(
    resource: R,
    ownerId: string,
    variant: string | undefined,
    fetch: (ownerId: string, scope: FetchScope) => Promise<ValueOf<Table, R>>,
  ): Promise<ValueOf<Table, R>>
  /** Owner ids of items (e.g. notification ids), from the index written beside cached values. */
  ownersOf(resource: NamesOfKind<Table, 'owned'>, itemIds: readonly string[]): Promise<readonly string[]>
  /** Drops entries before a mutation returns, so the client reads its own write. */
  invalidate(targets: readonly InvalidationTarget<keyof Table & string>[]): Promise<void>
  /** What the cache did for this request so far (a live view, not a copy). */
  readonly notes: CacheNotes
}

export interface CacheNotes {
  /** True when a stale entry stood in for a failed downstream call (the response says so in `extensions`). */
  readonly stale: boolean
}

export function createRequestCache<Table extends ResourceTable>(core: CacheCore<Table>, abort: SignalSource, trail: ReadTrail | null = null): RequestCache<Table> {
  const session = createReadSession(abort, false, trail)
  // Resources that are not cached (maxAge 0) go straight downstream, as with caching off.
  const passThrough = createPassThroughCache<Table>(abort, trail)
  const { failures } = core.env

  /** A single entry through the batch path; "not found" is cached (negative) and thrown again. */
  async function single<R extends keyof Table & string>(
    resource: R,
    address: StoreAddress,
    fetch: (scope: FetchScope) => Promise<ValueOf<Table, R>>,
    owner?: { readonly id: string; readonly accept: ((value: ValueOf<Table, R>) => boolean) | undefined },
  ): Promise<ValueOf<Table, R>> {
    const rt = core.runtime(resource)
    const { def } = rt
    const [result] = await readThrough(core.env, rt, session, {
      items: [{ id: address.member ?? address.key, address }],
      accept: owner?.accept,
      fetch: async ([id], scope) => {
        try {
          return new Map([[id ?? '', await fetch(scope)]])
        } catch (error) {
          if (failures.isNotFound(error)) return new Map([[id ?? '', null]])
          throw error
        }
      },
      alsoWrite:
        def.indexes === undefined || owner === undefined
          ? undefined
          : (_id, value, ttlMs) =>
              (def.indexes?.(value) ?? []).map((itemId) => ({
                address: { key: core.indexKey(resource, itemId) },
                value: JSON.stringify(owner.id),
                ttlMs,
              })),
    })
    if (result instanceof Error) throw result
    if (result === null || result === undefined) throw failures.notFound(def.service)
    return result
  }

  return {
    async entities(resource, ids, fetch, idOf) {
      if (!core.caches(resource)) return passThrough.entities(resource, ids, fetch, idOf)
      return readThrough(core.env, core.runtime(resource), session, {
        items: ids.map((id) => ({ id, address: { key: core.keyOf(resource, id) } })),
        coalesce: true,
        fetch: async (missing, scope) => new Map((await fetch(missing, scope)).map((value) => [idOf(value), value])),
      })
    },
    list(resource, id, variant, fetch) {
      if (!core.caches(resource)) return passThrough.list(resource, id, variant, fetch)
      return single(resource, { key: core.keyOf(resource, id), member: variant }, fetch)
    },
    owned(resource, ownerId, variant, fetch) {
      if (!core.caches(resource)) return passThrough.owned(resource, ownerId, variant, fetch)
      const { def } = core.runtime(resource)
      const accept =
        def.ownersOf === undefined ? undefined : (value: ValueOf<Table, typeof resource>) => (def.ownersOf?.(value) ?? []).every((owner) => owner === ownerId)
      const address = { key: core.keyOf(resource, ownerId), member: variant }
      return single(resource, address, (scope) => fetch(ownerId, scope), { id: ownerId, accept })
    },
    async ownersOf(resource, itemIds) {
      if (!core.caches(resource) || itemIds.length === 0 || session.bypass) return []
      try {
        const raws = await core.env.store.getMany(itemIds.map((itemId) => ({ key: core.indexKey(resource, itemId) })))
        const owners = raws.flatMap((raw) => {
          const parsed: unknown = raw === null ? null : JSON.parse(raw)
          return typeof parsed === 'string' ? [parsed] : []
        })
        return [...new Set(owners)]
      } catch {
        return []
      }
    },
    invalidate: (targets) => core.invalidate(targets),
    // The session itself: readThrough marks it stale. A getter here would put this object in dictionary mode.
    notes: session,
  }
}

const NOTHING_NOTED: CacheNotes = { stale: false }

/**
 * Caching off (CACHE_ENABLED=false), or a resource that is not cached: every
 * read goes downstream, as if there were no cache layer, and no answer read
 * this way may be kept (`trail`).
 */
export function createPassThroughCache<Table extends ResourceTable>(abort: SignalSource, trail: ReadTrail | null = null): RequestCache<Table> {
  const foreground = new ForegroundScope(abort)
  return {
    async entities(_resource, ids, fetch, idOf) {
      trail?.spoil()
      const found = new Map((await fetch(ids, foreground)).map((value) => [idOf(value), value]))
      return ids.map((id) => found.get(id) ?? null)
    },
    list: (_resource, _id, _variant, fetch) => {
      trail?.spoil()
      return fetch(foreground)
    },
    owned: (_resource, ownerId, _variant, fetch) => {
      trail?.spoil()
      return fetch(ownerId, foreground)
    },
    ownersOf: async () => [],
    invalidate: async () => {},
    notes: NOTHING_NOTED,
  }
}
