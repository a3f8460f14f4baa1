import { LazyAbortController } from '../lib/lazy-abort.js'
import type { StoreAddress } from './store.js'

/**
 * Process-wide single-flight. DataLoader only de-duplicates within one
 * request; when 200 requests miss the same key at once, they must share one
 * downstream call, so in-flight fetches are kept here, per resource, by
 * cache address.
 */

/** One downstream call made for one or more keys, shared by every request waiting on them. */
export interface SharedCall {
  /** Passed to the downstream call: aborted when every waiter has gone (or on shutdown). */
  readonly signal: AbortSignal
  /** A background refresh: not tied to any request (no request deadline applies). */
  readonly detached: boolean
  /**
   * Registers a waiter. The returned `leave` must be called once the waiter
   * is done, saying whether it leaves with its answer (a value or the
   * downstream's error). When the last waiter gives up before the call
   * settled, the call is aborted (nobody wants the answer). One that leaves
   * with its answer aborts nothing: its part of the call is over, and the
   * write-back that settles the call comes later. Detached calls (background
   * refreshes) are never aborted this way.
   */
  hold(): (answered: boolean) => void
  settle(): void
}

/**
 * The shared calls of one entity cache that have not settled, so closing the
 * cache aborts them. A Set, not one 'abort' listener per call on an app-wide
 * signal: adding a listener walks every listener already there, and Node's
 * EventTarget leaves a removed listener linked to the ones added after it, so
 * a dead call's listener could keep later calls' closures alive through a
 * young-generation GC.
 */
export interface SharedCalls {
  /** True once closed: no new call may start (background refreshes check this). */
  readonly closed: boolean
  start(options: { readonly detached: boolean }): SharedCall
  /** Aborts every call not yet settled, and every call started later. */
  close(): void
}

/** One shared call; its AbortSignal is made only if the call is handed to something that waits on it. */
class LazySharedCall implements SharedCall {
  readonly detached: boolean
  readonly #controller = new LazyAbortController()
  readonly #open: Set<LazyAbortController>
  #waiters = 0
  #settled = false

  constructor(detached: boolean, open: Set<LazyAbortController>, closed: boolean) {
    this.detached = detached
    this.#open = open
    if (closed) this.#controller.abort()
    else open.add(this.#controller)
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  hold(): (answered: boolean) => void {
    this.#waiters += 1
    let released = false
    return (answered) => {
      if (released) return
      released = true
      this.#waiters -= 1
      // Aborting an answered call cost a DOMException (with its stack) per shared call, for nothing.
      if (this.#waiters === 0 && !answered && !this.#settled && !this.detached) this.#controller.abort()
    }
  }

  settle(): void {
    this.#settled = true
    this.#open.delete(this.#controller)
  }
}

export function createSharedCalls(): SharedCalls {
  const open = new Set<LazyAbortController>()
  let closed = false
  return {
    get closed() {
      return closed
    },
    start: ({ detached }) => new LazySharedCall(detached, open, closed),
    close() {
      closed = true
      for (const controller of open) controller.abort()
      open.clear()
    },
  }
}

export interface Flight<T> {
  /** Resolves with the fetched value (null: not found); rejects with the downstream error. */
  readonly promise: Promise<T | null>
  readonly call: SharedCall
  /** False once invalidated: its (pre-change) answer must not be written back. */
  writable: boolean
}

export interface FlightHandle<T> {
  readonly flight: Flight<T>
  resolve(value: T | null): void
  reject(error: unknown): void
}

export interface Flights<T> {
  get(key: string): Flight<T> | undefined
  /** Registers a flight for `key` (synchronously, so concurrent readers find it). */
  start(key: string, call: SharedCall): FlightHandle<T>
  /** Forgets the flight of `key` if it is still this one (after its write-back settled). */
  finish(key: string, flight: Flight<T>): void
  /**
   * Drops every flight of the given store keys (group members included) and
   * marks it unwritable: a fetch that started before a change must neither be
   * joined by later readers nor written back over the invalidation.
   */
  invalidate(keys: ReadonlySet<string>): void
  /** invalidate() for every flight (namespace flush). */
  invalidateAll(): void
}

/** Separates a group key from its member in flight keys; never part of a store key. */
const MEMBER_SEPARATOR = '\u0000'

export function flightKeyOf(address: StoreAddress): string {
  return address.member === undefined ? address.key : `${address.key}${MEMBER_SEPARATOR}${address.member}`
}

function storeKeyOf(flightKey: string): string {
  const at = flightKey.indexOf(MEMBER_SEPARATOR)
  return at === -1 ? flightKey : flightKey.slice(0, at)
}

export function createFlights<T>(): Flights<T> {
  const flights = new Map<string, Flight<T>>()
  return {
    get: (key) => flights.get(key),
    start(key, call) {
      let resolve!: (value: T | null) => void
      let reject!: (error: unknown) => void
      const promise = new Promise<T | null>((res, rej) => {
        resolve = res
        reject = rej
      })
      // A flight whose waiters all left still settles; its rejection must not go unhandled.
      promise.catch(() => undefined)
      const flight: Flight<T> = { promise, call, writable: true }
      flights.set(key, flight)
      return { flight, resolve, reject }
    },
    finish(key, flight) {
      if (flights.get(key) === flight) flights.delete(key)
    },
    invalidateAll() {
      for (const flight of flights.values()) flight.writable = false
      flights.clear()
    },
    invalidate(keys) {
      for (const [key, flight] of flights) {
        if (keys.has(storeKeyOf(key))) {
          flight.writable = false
          flights.delete(key)
        }
      }
    },
  }
}
