import type { FastifyBaseLogger } from 'fastify'
import type { SignalSource } from '../lib/lazy-abort.js'
import type { Store, StoreAddress, StoreWrite } from './store.js'
import type { CacheCounters } from './counters.js'
import type { Flights, SharedCalls } from './flights.js'
import { CacheUnavailableError } from './guarded-store.js'
import type { Keyspace } from './keys.js'
import type { NearView } from './near-store.js'
import type { RefreshQueue } from './refresh-queue.js'
import type { FetchFailures, ResourceDef } from './resource-table.js'
import type { CachePolicy } from './ttl-policy.js'

/** What the read path shares across requests (one per app). */
export interface ReadEnv {
  readonly store: Store
  readonly keyspace: Keyspace
  readonly counters: CacheCounters
  readonly now: () => number
  /** Cross-instance lease: held `ttlMs`; others wait up to `waitMs` for the holder's write. */
  readonly lease: { readonly ttlMs: number; readonly waitMs: number }
  /** Every shared call of the cache: closed on app close, which stops background refreshes and lease waits. */
  readonly calls: SharedCalls
  /** The data layer's errors: which fetch failures mean "not found" or allow a stale answer. */
  readonly failures: FetchFailures
  readonly log: FastifyBaseLogger
}

/** A resource with its resolved policy and its process-wide flights. */
export interface ResourceRuntime<T> {
  readonly def: ResourceDef<T>
  readonly label: string
  readonly policy: CachePolicy
  readonly flights: Flights<T>
  /** Coalesces background refreshes of batchable (entity) reads. */
  readonly refreshes: RefreshQueue<T>
  /**
   * The in-process L1, for PUBLIC entities read by id only (plain keys, no
   * group members, no owner check); null for every other resource, or when
   * the L1 is off.
   */
  readonly near: NearView<T> | null
}

/** Per-request state of the cache (one per GraphQL request). */
export interface ReadSession {
  /**
   * Rejects with ABORTED when `signal` aborts. One listener per request, not
   * one per awaited key (a page of 50 products would otherwise add 50).
   */
  aborted(): Promise<never>
  /** Set after a store failure: the rest of this request skips the store, bounding its added latency. */
  bypass: boolean
  /** Set when a stale entry was served because the downstream failed. */
  stale: boolean
}

/** What `ReadSession.aborted()` rejects with. */
export const ABORTED: unique symbol = Symbol('aborted')

/** `abort` hands out the client's signal (waiting stops when it aborts); it is only asked once a wait begins. */
export function createReadSession(abort: SignalSource, bypass = false): ReadSession {
  let aborted: Promise<never> | undefined
  return {
    bypass,
    stale: false,
    aborted() {
      aborted ??= new Promise<never>((_resolve, reject) => {
        const { signal } = abort
        if (signal.aborted) reject(ABORTED)
        else signal.addEventListener('abort', () => reject(ABORTED), { once: true })
      })
      // Only ever raced against a flight; an abort nobody is waiting for is not an unhandled rejection.
      aborted.catch(() => undefined)
      return aborted
    },
  }
}

/** How a downstream fetch made for the cache runs. */
export interface FetchScope {
  /** The shared call's signal: aborted when no reader wants the answer any more. */
  readonly signal: AbortSignal
  /** A background refresh, outliving the request that triggered it (no request deadline applies). */
  readonly background: boolean
}

/** The scope of a fetch a request makes for itself (no shared call): the request's signal, asked for only when a call starts. */
export class ForegroundScope implements FetchScope {
  readonly background = false
  readonly #abort: SignalSource

  constructor(abort: SignalSource) {
    this.#abort = abort
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }
}

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

/** Counts a store failure (not a breaker bypass: Redis was not called) and logs it at debug; the breaker logs outages once. */
export function countStoreError(env: ReadEnv, label: string, error: unknown): void {
  if (error instanceof CacheUnavailableError && error.bypassed) return
  env.counters.add(label, 'errors')
  env.log.debug({ err: error, resource: label }, 'cache store call failed; going downstream')
}

export function storeFailed(env: ReadEnv, label: string, session: ReadSession, error: unknown): void {
  session.bypass = true
  countStoreError(env, label, error)
}

