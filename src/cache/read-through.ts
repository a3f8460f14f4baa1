import { freshnessOf, INVALID_ENTRY, type Entry } from './envelope.js'
import { flightKeyOf, type Flight } from './flights.js'
import { fetchUnderLease } from './lease-fetch.js'
import { ABORTED, createReadSession, readEntries, storeFailed, type ReadEnv, type ReadSession, type ResourceRuntime } from './read-env.js'
import type { ReadRequest, ReadResult } from './read-request.js'

export type { ReadEnv, ReadSession, ResourceRuntime } from './read-env.js'
export type { FetchScope, ReadItem, ReadRequest, ReadResult } from './read-request.js'

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/** Waits for a flight on behalf of one reader; leaving early (abort) releases its hold. */
async function waitForFlight<T>(env: ReadEnv, flight: Flight<T>, session: ReadSession, service: string): Promise<T | null> {
  const leave = flight.call.hold()
  let answered = true
  try {
    return await Promise.race([flight.promise, session.aborted()])
  } catch (error) {
    if (error !== ABORTED) throw error
    answered = false
    throw env.failures.aborted(service)
  } finally {
    leave(answered)
  }
}

/**
 * Batch-aware cache-aside for one resource: one store read for every item,
 * fresh entries served, stale-while-revalidate entries served with one
 * background refresh, and the misses fetched downstream in one call shared by
 * every request missing the same keys (in-process flights) and, across
 * instances, by the holder of a `SET NX PX` lease. When the downstream fails,
 * a stale-if-error entry is served instead and the session is marked stale.
 */
export async function readThrough<T>(
  env: ReadEnv,
  rt: ResourceRuntime<T>,
  session: ReadSession,
  request: ReadRequest<T>,
): Promise<ReadResult<T>[]> {
  const { items } = request
  const out: ReadResult<T>[] = items.map(() => null)
  const waits: Promise<void>[] = []
  // Only entries served from the cache may be repeated by a kept answer; everything else spoils the trail.
  const { trail } = session

  const join = async (index: number, flight: Flight<T>, staleValue: T | undefined): Promise<void> => {
    trail?.spoil()
    try {
      out[index] = await waitForFlight(env, flight, session, rt.def.service)
    } catch (error) {
      if (staleValue !== undefined && env.failures.servesStale(error)) {
        out[index] = staleValue
        session.stale = true
        env.counters.add(rt.label, 'staleServed')
      } else {
        out[index] = asError(error)
      }
    }
  }

  // A fresh entry in the L1 needs no store read, and no decode.
  // A key this instance is already fetching for a reader needs no store read: join the call.
  // A background refresh is not joined here: the stale entry it refreshes is still servable.
  const { near } = rt
  const nearNow = near === null ? 0 : env.now()
  let nearHits = 0
  const toRead: number[] = []
  items.forEach((item, index) => {
    const held = near?.get(item.address.key, nearNow)
    if (held !== undefined) {
      out[index] = held.value
      // Not past its freshness: other instances' writes to the entry are not seen here.
      trail?.read(item.address.key, held.freshUntil)
      nearHits += 1
      return
    }
    const flight = rt.flights.get(flightKeyOf(item.address))
    if (flight === undefined || flight.call.detached) toRead.push(index)
    else waits.push(join(index, flight, undefined))
  })
  if (nearHits > 0) {
    env.counters.add(rt.label, 'hits', nearHits)
    env.counters.add(rt.label, 'l1Hits', nearHits)
  }

  // Taken before the read: an invalidation landing while it is in flight keeps its answer out of the L1.
  const since = near?.mark() ?? 0
  let stored: readonly (Entry<T> | typeof INVALID_ENTRY | null)[] = []
  if (toRead.length > 0 && !session.bypass) {
    try {
      stored = await readEntries(env.store, rt, toRead.map((index) => items[index]!.address))
    } catch (error) {
      storeFailed(env, rt.label, session, error)
    }
  }

  const now = env.now()
  const misses: number[] = []
  const staleValues = new Map<number, T>()
  const revalidate: number[] = []
  toRead.forEach((index, n) => {
    const read = stored[n] ?? null
    let entry = read === INVALID_ENTRY ? null : read
    if (read === INVALID_ENTRY) env.counters.add(rt.label, 'errors')
    if (entry !== null && entry.value !== null && request.accept !== undefined && !request.accept(entry.value)) {
      env.log.warn({ resource: rt.label }, 'cached value does not belong to its reader; ignored')
      entry = null
    }
    const freshness = entry === null ? 'expired' : freshnessOf(entry, now, rt.policy)
    if (entry !== null && freshness === 'fresh') {
      out[index] = entry.value
      trail?.read(items[index]!.address.key, entry.freshUntil, entry.freshUntil + rt.policy.staleWhileRevalidateMs)
      env.counters.add(rt.label, 'hits')
      near?.fill(items[index]!.address.key, entry, now, since)
    } else if (entry !== null && entry.value !== null && freshness === 'revalidate') {
      out[index] = entry.value
      // Its refresh starts below: a kept answer may serve it as long as the entry itself may be.
      trail?.read(items[index]!.address.key, entry.freshUntil, entry.freshUntil + rt.policy.staleWhileRevalidateMs)
      env.counters.add(rt.label, 'staleServed')
      revalidate.push(index)
    } else {
      if (entry !== null && entry.value !== null && freshness === 'stale') staleValues.set(index, entry.value)
      misses.push(index)
    }
  })

  if (misses.length > 0) trail?.spoil()
  if (revalidate.length > 0) {
    const stale = revalidate.map((index) => items[index]!)
    if (request.coalesce === true) rt.refreshes.add(stale, request.fetch, (batch) => refresh(env, rt, batch, session.bypass))
    else refresh(env, rt, { ...request, items: stale }, session.bypass)
  }
  if (misses.length > 0) {
    env.counters.add(rt.label, 'misses', misses.length)
    const own: number[] = []
    for (const index of misses) {
      // Another request may have started fetching this key while we read the store.
      const flight = rt.flights.get(flightKeyOf(items[index]!.address))
      if (flight === undefined) own.push(index)
      else waits.push(join(index, flight, staleValues.get(index)))
    }
    if (own.length > 0) {
      const call = env.calls.start({ detached: false })
      const handles = own.map((index) => rt.flights.start(flightKeyOf(items[index]!.address), call))
      own.forEach((index, n) => waits.push(join(index, handles[n]!.flight, staleValues.get(index))))
      void fetchUnderLease(env, rt, session, request, own, handles, call)
    }
  }
  await Promise.all(waits)
  return out
}

/** Starts one background refresh for entries served stale-while-revalidate. */
function refresh<T>(env: ReadEnv, rt: ResourceRuntime<T>, request: ReadRequest<T>, bypass: boolean): void {
  if (env.calls.closed) return
  const items = request.items.filter((item) => rt.flights.get(flightKeyOf(item.address)) === undefined)
  if (items.length === 0) return
  // Detached: the refresh outlives the request that noticed the stale entry.
  const call = env.calls.start({ detached: true })
  const handles = items.map((item) => rt.flights.start(flightKeyOf(item.address), call))
  env.counters.add(rt.label, 'refreshes', items.length)
  const detached = createReadSession(call, bypass)
  void fetchUnderLease(env, rt, detached, { ...request, items }, items.map((_, index) => index), handles, call)
}
