import { request } from 'undici'
import { expect } from 'vitest'
import { cacheReadiness, type CacheStack } from './cache-stack.js'

/** The BFF's Redis time limit in the outage tests (CACHE_REDIS_TIMEOUT_MS). */
export const REDIS_TIMEOUT_MS = 100
/**
 * Scheduling noise on a shared 2-core machine. Without the cache guard a
 * frozen Redis costs a query the client's 1 s commandTimeout backstop, far
 * past this. A killed one refuses connections at once, and commands in flight
 * at the kill end after the client's retries (≤ 260 ms seen on a Cluster):
 * inside this bound with or without the guard.
 */
const SLACK_MS = 250
const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name price { amount } } }'

export interface Outcome {
  readonly ok: boolean
  readonly ms: number
}

export interface ProductLoad {
  /** One product query; by default ids cycle over 60 products, so reads mix hits and misses and span nodes. */
  query(id?: string): Promise<Outcome>
  /** Four clients querying back to back until `done` settles, then `after` more each; rethrows `done`'s rejection. */
  load(done: Promise<unknown>, after?: number): Promise<Outcome[]>
  /** The slowest of 40 queries with Redis healthy: this machine's noise at the moment, downstream calls included. */
  baselineMaxMs(): Promise<number>
}

/** The load the outage tests put on a BFF while they break its Redis. */
export function productLoad(stack: Pick<CacheStack, 'bffUrl'>): ProductLoad {
  let next = 0
  const query = async (id = String(1_000 + (next++ % 60))): Promise<Outcome> => {
    const started = performance.now()
    const response = await request(`${stack.bffUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PRODUCT, variables: { id } }),
    })
    const body = (await response.body.json()) as { data?: { product?: { id?: string } | null }; errors?: unknown[] }
    const ok = response.statusCode === 200 && body.errors === undefined && body.data?.product?.id === id
    return { ok, ms: performance.now() - started }
  }
  const clients = async (each: (mine: Outcome[]) => Promise<void>): Promise<Outcome[]> => {
    const all = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const mine: Outcome[] = []
        await each(mine)
        return mine
      }),
    )
    return all.flat()
  }
  return {
    query,
    async load(done, after = 10) {
      let stop = false
      // A rejected `done` (a deadline missed) stops the load too; it is rethrown below.
      void done.finally(() => {
        stop = true
      }).catch(() => undefined)
      const outcomes = await clients(async (mine) => {
        while (!stop) mine.push(await query())
        for (let i = 0; i < after; i += 1) mine.push(await query())
      })
      await done
      return outcomes
    },
    async baselineMaxMs() {
      const outcomes = await clients(async (mine) => {
        for (let i = 0; i < 10; i += 1) mine.push(await query())
      })
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      return Math.max(...outcomes.map((o) => o.ms))
    },
  }
}

/** Zero failed queries, and none slower than the healthy slowest + the Redis limit + the slack. */
export function expectNoQueryFailedOrWaited(outcomes: readonly Outcome[], baselineMs: number): void {
  const slowest = Math.max(...outcomes.map((o) => o.ms))
  const figures = `${outcomes.length} queries, slowest ${slowest.toFixed(0)} ms, healthy slowest ${baselineMs.toFixed(0)} ms`
  expect({ failed: outcomes.filter((o) => !o.ok).length, withinLimit: slowest <= baselineMs + REDIS_TIMEOUT_MS + SLACK_MS }, figures).toEqual({
    failed: 0,
    withinLimit: true,
  })
}

/** Readiness answers 200 with the cache degraded: a Redis outage never makes the BFF "not ready". */
export async function expectReportedDegraded(stack: Pick<CacheStack, 'bffUrl'>): Promise<void> {
  const readiness = await cacheReadiness(stack)
  expect({ status: readiness.status, overall: readiness.overall, degraded: readiness.degraded }).toEqual({
    status: 200,
    overall: 'degraded',
    degraded: true,
  })
}

/** The cache guard's outage log lines among `logs[from, to)`. */
export function outageLines(logs: readonly Record<string, unknown>[], from: number, to: number): { degraded: number; recovered: number } {
  const count = (prefix: string): number => logs.slice(from, to).filter((line) => String(line['msg']).startsWith(prefix)).length
  return { degraded: count('cache degraded'), recovered: count('cache recovered') }
}
