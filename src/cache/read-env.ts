import type { FastifyBaseLogger } from 'fastify'
import type { SignalSource } from '../lib/lazy-abort.js'
import type { Entry, INVALID_ENTRY } from './envelope.js'
import type { Store, StoreAddress } from './store.js'
import type { CacheCounters } from './counters.js'
import type { Flights, SharedCalls } from './flights.js'
import { CacheUnavailableError } from './guarded-store.js'
import type { Keyspace } from './keys.js'
import type { ReadTrail } from './read-trail.js'
import type { NearView } from './near-store.js'
import type { FetchScope } from './read-request.js'
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
  /** The resource's entry decoder (envelope.ts `entryDecoder`), one per resource. */
  readonly decode: (raw: string) => Entry<T> | typeof INVALID_ENTRY
}

/** Stored entries, decoded: null for none, INVALID_ENTRY for one that does not decode. Rejects as the store does. */
export async function readEntries<T>(store: Store, rt: ResourceRuntime<T>, addresses: readonly StoreAddress[]): Promise<readonly (Entry<T> | typeof INVALID_ENTRY | null)[]> {
  if (store.getDecoded !== undefined) return store.getDecoded(addresses, rt.decode)
  const raws = await store.getMany(addresses)
  return raws.map((raw) => (raw === null ? null : rt.decode(raw)))
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
  /** Where what this request read is noted, when its answer may be kept (response-cache.ts); null otherwise. */
  readonly trail: ReadTrail | null
}

/** What `ReadSession.aborted()` rejects with. */
export const ABORTED: unique symbol = Symbol('aborted')

/** `abort` hands out the client's signal (waiting stops when it aborts); it is only asked once a wait begins. */
export function createReadSession(abort: SignalSource, bypass = false, trail: ReadTrail | null = null): ReadSession {
  let aborted: Promise<never> | undefined
  return {
    bypass,
    stale: false,
    trail,
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

