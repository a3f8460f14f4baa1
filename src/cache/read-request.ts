import type { StoreAddress, StoreWrite } from './store.js'

// The shapes of one read through the cache, shared by the read path and the refresh queue.

/** How a downstream fetch made for the cache runs. */
export interface FetchScope {
  /** The shared call's signal: aborted when no reader wants the answer any more. */
  readonly signal: AbortSignal
  /** A background refresh, outliving the request that triggered it (no request deadline applies). */
  readonly background: boolean
}

/** One entry a read asks for. */
export interface ReadItem {
  readonly id: string
  readonly address: StoreAddress
}

export interface ReadRequest<T> {
  readonly items: readonly ReadItem[]
  /** One downstream call for these ids; an id absent from the map was not found. */
  readonly fetch: (ids: readonly string[], call: FetchScope) => Promise<ReadonlyMap<string, T | null>>
  /** Whether a cached value may be served to this reader (PRIVATE owner check). */
  readonly accept?: undefined | ((value: T) => boolean)
  /**
   * `fetch` can fetch any ids of the resource (an entity batch), so background
   * refreshes of several requests may be merged into one call.
   */
  readonly coalesce?: undefined | boolean
  /** More entries to store beside a freshly fetched value (e.g. an owner index). */
  readonly alsoWrite?: undefined | ((id: string, value: T, ttlMs: number) => readonly StoreWrite[])
}

/** Per item: the value, null (not found), or the error that item failed with. */
export type ReadResult<T> = T | null | Error
