import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, startCacheStack, type CacheStack } from './cache-stack.js'

const REDIS_TIMEOUT_MS = 100
/** Scheduling noise on a shared 2-core machine; an unbounded client would add seconds, not this. */
const SLACK_MS = 250
const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name price { amount } } }'

interface Outcome {
  readonly ok: boolean
  readonly ms: number
}

describe('Redis outage: the cache degrades, queries never fail', () => {
  let redis: RedisServer
  let stack: CacheStack
  const logs: Record<string, unknown>[] = []
  let next = 0

  beforeAll(async () => {
    redis = await startRedisServer()
    stack = await startCacheStack(
      { REDIS_URL: redis.url, CACHE_KEY_PREFIX: 'outage:', CACHE_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS) },
      { logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } },
    )
  })
  afterAll(async () => {
    await stack.close()
    await redis.stop()
  })

  /** One product query; by default ids cycle over 60 products so reads mix hits and misses. */
  async function query(id = String(1_000 + (next++ % 60))): Promise<Outcome> {
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

  /** Four clients querying back to back until `done` resolves, then `after` more each. */
  async function load(done: Promise<unknown>, after = 10): Promise<Outcome[]> {
    const outcomes: Outcome[] = []
    let stop = false
    void done.then(() => {
      stop = true
    })
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) outcomes.push(await query())
        for (let i = 0; i < after; i += 1) outcomes.push(await query())
      }),
    )
    await done
    return outcomes
  }

  /** The slowest of 40 queries with Redis healthy: this machine's noise at the moment, downstream calls included. */
  async function baselineMaxMs(): Promise<number> {
    const outcomes = await Promise.all(Array.from({ length: 4 }, async () => {
      const mine: Outcome[] = []
      for (let i = 0; i < 10; i += 1) mine.push(await query())
      return mine
    }))
    const flat = outcomes.flat()
    expect(flat.filter((o) => !o.ok)).toEqual([])
    return Math.max(...flat.map((o) => o.ms))
  }

  async function hitsResume(): Promise<void> {
    const before = await counter(stack, 'catalog:product', 'hits')
    await waitFor(
      async () => {
        // The same product twice: the second read is a hit once Redis takes writes again.
        await query('1999')
        await query('1999')
        const readiness = await cacheReadiness(stack)
        return readiness.breaker === 'closed' && (await counter(stack, 'catalog:product', 'hits')) > before
      },
      { timeoutMs: 5_000, message: 'cache hits with the breaker closed' },
    )
    // Readiness says recovered once the breaker has stayed closed for the guard's recovery hold (2 s).
    await waitFor(async () => !(await cacheReadiness(stack)).degraded, { timeoutMs: 5_000, message: 'readiness no longer degraded' })
  }

  const logged = (from: number, to: number, prefix: string): number =>
    logs.slice(from, to).filter((line) => String(line['msg']).startsWith(prefix)).length

  it.each([
    ['killed (SIGKILL)', () => redis.kill(), () => redis.restart()],
    ['frozen (SIGSTOP)', () => redis.freeze(), () => redis.resume()],
  ] as const)('Redis %s mid-load', async (_name, breakIt, repair) => {
    // Start from a healthy cache (the previous outage may still be recovering).
    await hitsResume()
    await Promise.all(Array.from({ length: 60 }, () => query()))
    const baseline = await baselineMaxMs()
    const logStart = logs.length

    const degraded = (async () => {
      await breakIt()
      return waitFor(async () => (await cacheReadiness(stack)).degraded, { timeoutMs: 5_000, message: 'cache degraded' })
    })()
    const outcomes = await load(degraded)
    const slowest = Math.max(...outcomes.map((o) => o.ms))
    const figures = `${outcomes.length} queries, slowest ${slowest.toFixed(0)} ms, healthy slowest ${baseline.toFixed(0)} ms`
    expect({ failed: outcomes.filter((o) => !o.ok).length, withinLimit: slowest <= baseline + REDIS_TIMEOUT_MS + SLACK_MS }, figures).toEqual({
      failed: 0,
      withinLimit: true,
    })

    const readiness = await cacheReadiness(stack)
    expect({ status: readiness.status, overall: readiness.overall, degraded: readiness.degraded }).toEqual({
      status: 200,
      overall: 'degraded',
      degraded: true,
    })

    // One line for the whole outage, however many probes failed during it.
    const outageEnd = logs.length
    expect({ degraded: logged(logStart, outageEnd, 'cache degraded'), recovered: logged(logStart, outageEnd, 'cache recovered') }).toEqual({
      degraded: 1,
      recovered: 0,
    })
    await repair()
    await hitsResume()
    // Recovered once: a fresh Redis that fails once more on a busy machine is absorbed by the recovery hold.
    expect({ degraded: logged(outageEnd, logs.length, 'cache degraded'), recovered: logged(outageEnd, logs.length, 'cache recovered') }).toEqual({
      degraded: 0,
      recovered: 1,
    })
  })
})
