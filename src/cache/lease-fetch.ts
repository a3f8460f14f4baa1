import type { StoreAddress, StoreWrite } from './store.js'
import { encodeEntry, freshnessOf, INVALID_ENTRY, type Entry } from './envelope.js'
import { flightKeyOf, type FlightHandle, type SharedCall } from './flights.js'
import { countStoreError, readEntries, storeFailed, type ReadEnv, type ReadSession, type ResourceRuntime } from './read-env.js'
import type { ReadRequest } from './read-request.js'

/** Lease-wait polling: first pause and cap (ms), doubling in between. */
const POLL_FIRST_MS = 10
const POLL_MAX_MS = 50

/**
 * Fetches the items this instance owns: items whose lease it got at once,
 * the others after waiting (bounded) for the lease holder's write. Never
 * rejects: every outcome goes to the flights.
 */
export async function fetchUnderLease<T>(
  env: ReadEnv,
  rt: ResourceRuntime<T>,
  session: ReadSession,
  request: ReadRequest<T>,
  indexes: readonly number[],
  handles: readonly FlightHandle<T>[],
  call: SharedCall,
): Promise<void> {
  // Before the downstream call: an invalidation (or L1 suspension) during it keeps the answer out of the L1.
  const since = rt.near?.mark() ?? 0
  const positions = indexes.map((_, position) => position)
  const addressAt = (position: number): StoreAddress => request.items[indexes[position]!]!.address
  let leased = positions
  let contended: number[] = []
  let leasesTaken = false
  if (!session.bypass && env.lease.waitMs > 0) {
    try {
      const got = await env.store.tryLeases(positions.map((p) => env.keyspace.lease(addressAt(p))), env.lease.ttlMs)
      leased = positions.filter((p) => got[p] === true)
      contended = positions.filter((p) => got[p] !== true)
      leasesTaken = leased.length > 0
    } catch (error) {
      storeFailed(env, rt.label, session, error)
    }
  }

  const fetchBatch = async (batch: readonly number[], holdsLeases: boolean): Promise<void> => {
    if (batch.length === 0) return
    const ids = batch.map((p) => request.items[indexes[p]!]!.id)
    let values: ReadonlyMap<string, T | null>
    try {
      values = await request.fetch(ids, { signal: call.signal, background: call.detached })
    } catch (error) {
      for (const p of batch) {
        handles[p]!.reject(error)
        rt.flights.finish(flightKeyOf(addressAt(p)), handles[p]!.flight)
      }
      if (holdsLeases) env.store.invalidate(batch.map((p) => env.keyspace.lease(addressAt(p)))).catch(() => undefined)
      return
    }
    const now = env.now()
    const writes: StoreWrite[] = []
    batch.forEach((p, n) => {
      const value = values.get(ids[n]!) ?? null
      handles[p]!.resolve(value)
      if (!handles[p]!.flight.writable || (value === null && rt.policy.negativeTtlMs === 0)) return
      const { raw, ttlMs, freshUntil, keepUntil } = encodeEntry(value, now, rt.policy)
      writes.push({ address: addressAt(p), value: raw, ttlMs })
      // Filled now, in the tick that checked `writable`: a later invalidation drops it again.
      rt.near?.fill(addressAt(p).key, { value, freshUntil, keepUntil }, now, since)
      if (value !== null && request.alsoWrite !== undefined) writes.push(...request.alsoWrite(ids[n]!, value, ttlMs))
    })
    const finish = (): void => batch.forEach((p) => rt.flights.finish(flightKeyOf(addressAt(p)), handles[p]!.flight))
    if (session.bypass && !holdsLeases) {
      finish()
      return
    }
    // Issued in one tick: one pipeline. The flights stay joinable until the write
    // lands, so a reader whose store read raced the write still joins, not refetches.
    const written = Promise.all([
      writes.length > 0 ? env.store.setMany(writes) : undefined,
      holdsLeases ? env.store.invalidate(batch.map((p) => env.keyspace.lease(addressAt(p)))) : undefined,
    ])
    await written.then(finish, (error: unknown) => {
      finish()
      countStoreError(env, rt.label, error)
    })
  }

  const afterLeaseHolder = async (): Promise<void> => {
    const remaining = await waitForLeaseHolder(env, rt, request, indexes, handles, contended, call.signal)
    await fetchBatch(remaining, false)
  }
  await Promise.all([fetchBatch(leased, leasesTaken), afterLeaseHolder()])
  call.settle()
}

/** Polls (bounded backoff) for entries another instance is fetching; answers the positions still missing. */
async function waitForLeaseHolder<T>(
  env: ReadEnv,
  rt: ResourceRuntime<T>,
  request: ReadRequest<T>,
  indexes: readonly number[],
  handles: readonly FlightHandle<T>[],
  contended: readonly number[],
  signal: AbortSignal,
): Promise<number[]> {
  let remaining = [...contended]
  const deadline = env.now() + env.lease.waitMs
  let pause = POLL_FIRST_MS
  while (remaining.length > 0 && !signal.aborted && env.now() + pause <= deadline) {
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, POLL_MAX_MS)
    let stored: readonly (Entry<T> | typeof INVALID_ENTRY | null)[]
    try {
      stored = await readEntries(env.store, rt, remaining.map((p) => request.items[indexes[p]!]!.address))
    } catch {
      break
    }
    const now = env.now()
    remaining = remaining.filter((p, n) => {
      const read = stored[n] ?? null
      const entry = read === INVALID_ENTRY ? null : read
      if (entry === null || freshnessOf(entry, now, rt.policy) !== 'fresh') return true
      handles[p]!.resolve(entry.value)
      rt.flights.finish(flightKeyOf(request.items[indexes[p]!]!.address), handles[p]!.flight)
      return false
    })
  }
  return remaining
}
