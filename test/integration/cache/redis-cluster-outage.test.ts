import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyspace } from '../../../src/cache/keys.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, startCacheStack, type CacheStack } from './cache-stack.js'

const REDIS_TIMEOUT_MS = 100
/**
 * Scheduling noise on a shared 2-core machine, as redis-outage.test.ts. Without the cache guard a
 * frozen master costs a query the client's 1 s commandTimeout backstop, far past this. A killed one
 * refuses connections at once, and commands in flight at the kill end after ioredis's failover
 * retries (≤ 260 ms seen): inside this bound with or without the guard.
 */
const SLACK_MS = 250
/** What the BFF itself needs once the cluster is ok again: a breaker probe (1 s), a slot refresh; then the recovery hold (2 s). */
const BFF_RECOVERY_MS = 5_000
const PREFIX = 'cluster-outage:'
const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name price { amount } } }'
/** The product the recovery checks read; the master holding its key is the one that goes down. */
const HOT = '1999'
const hotKey = createKeyspace({ prefix: PREFIX, version: 1 }).entity('catalog', 'product', HOT)

interface Outcome {
  readonly ok: boolean
  readonly ms: number
}

/**
 * "A Redis outage never fails a query", for ONE master of a 3-master Redis
 * Cluster (no replicas). The outage has two phases, and the load spans both:
 * first only that master's slots fail (the client is redirected to it, or
 * retries towards it, while the others answer), then, after
 * cluster-node-timeout, the surviving masters mark it failed and answer
 * CLUSTERDOWN for every key (cluster-require-full-coverage, the default).
 */
describe('Redis Cluster outage of one master: the cache degrades, queries never fail', () => {
  let cluster: RedisCluster
  let stack: CacheStack
  /** Index of the master serving HOT's slot. */
  let victim: number
  const logs: Record<string, unknown>[] = []
  let next = 0

  beforeAll(async () => {
    cluster = await startRedisCluster()
    stack = await startCacheStack(
      {
        REDIS_CLUSTER_NODES: cluster.nodes,
        CACHE_KEY_PREFIX: PREFIX,
        CACHE_KEY_VERSION: '1',
        CACHE_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      },
      { logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } },
    )
    victim = await cluster.ownerOf(hotKey)
  })
  afterAll(async () => {
    await stack?.close()
    await cluster?.stop()
  })

  /** One product query; by default ids cycle over 60 products, about a third of them on the victim's slots. */
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
    // A rejected `done` (a deadline missed) stops the load too; it is rethrown below.
    void done.finally(() => {
      stop = true
    }).catch(() => undefined)
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) outcomes.push(await query())
        for (let i = 0; i < after; i += 1) outcomes.push(await query())
      }),
    )
    await done
    return outcomes
  }

  /** The slowest of 40 queries with the cluster healthy: this machine's noise at the moment, downstream calls included. */
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

  const keyspaceHits = async (index: number): Promise<number> =>
    Number(/^keyspace_hits:(\d+)/m.exec(await cluster.node(index).info('stats'))?.[1] ?? Number.NaN)

  /**
   * Cache hits served by the victim again, with the breaker closed. Its own
   * INFO says the hit was a store read on it: the BFF's hit counter alone
   * could be the L1, which is filled by downstream fetches too.
   */
  async function victimHitsResume(): Promise<void> {
    const before = await keyspaceHits(victim)
    const bffBefore = await counter(stack, 'catalog:product', 'hits')
    await waitFor(
      async () => {
        // The same product twice: the second read is a hit once the victim takes writes again.
        await query(HOT)
        await query(HOT)
        const readiness = await cacheReadiness(stack)
        return readiness.breaker === 'closed' && (await counter(stack, 'catalog:product', 'hits')) > bffBefore && (await keyspaceHits(victim)) > before
      },
      { timeoutMs: BFF_RECOVERY_MS, message: `cache hits on the restored master (${String(cluster.ports[victim])}) with the breaker closed` },
    )
    // Readiness says recovered once the breaker has stayed closed for the guard's recovery hold (2 s).
    await waitFor(async () => !(await cacheReadiness(stack)).degraded, { timeoutMs: BFF_RECOVERY_MS, message: 'readiness no longer degraded' })
  }

  /** Store calls that failed or timed out, over every resource (readiness counters). */
  const storeErrorCount = async (): Promise<number> =>
    Object.values((await cacheReadiness(stack)).resources).reduce((sum, set) => sum + (typeof set['errors'] === 'number' ? set['errors'] : 0), 0)

  const survivors = (): number[] => cluster.ports.map((_, index) => index).filter((index) => index !== victim)
  const logged = (from: number, to: number, prefix: string): number =>
    logs.slice(from, to).filter((line) => String(line['msg']).startsWith(prefix)).length

  it.each([
    ['killed (SIGKILL)', () => cluster.kill(victim), () => cluster.restart(victim)],
    ['frozen (SIGSTOP)', async () => cluster.freeze(victim), async () => cluster.resume(victim)],
  ] as const)('the master holding a hot key %s mid-load', async (_name, breakIt, repair) => {
    // Start from a healthy cluster and cache (the previous outage may still be recovering).
    await cluster.waitOk()
    await victimHitsResume()
    await Promise.all(Array.from({ length: 60 }, () => query()))
    // The hot key really lives on the master about to go down.
    expect(await cluster.node(victim).exists(hotKey)).toBe(1)
    const baseline = await baselineMaxMs()
    const logStart = logs.length
    const storeErrors = await storeErrorCount()

    const outage = (async () => {
      await breakIt()
      // Both phases: the survivors give up on the victim (cluster_state:fail, CLUSTERDOWN for every key),
      // a node timeout plus gossip after the break; and the BFF has noticed.
      await waitFor(async () => (await Promise.all(survivors().map((index) => cluster.state(index)))).every((state) => state === 'fail'), {
        timeoutMs: 4 * cluster.nodeTimeoutMs,
        message: 'the surviving masters to mark the victim failed',
      })
      await waitFor(async () => (await cacheReadiness(stack)).degraded, { timeoutMs: 5_000, message: 'cache degraded' })
    })()
    const outcomes = await load(outage)
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
    // The queries did reach the broken master (not only the L1 or the breaker's bypass).
    expect(await storeErrorCount()).toBeGreaterThan(storeErrors)
    // While only the victim's slots failed, a breaker probe could land on a live master and close the
    // breaker for a moment; the outage is still logged once (the guard's recovery hold).
    const outageEnd = logs.length
    expect({ degraded: logged(logStart, outageEnd, 'cache degraded'), recovered: logged(logStart, outageEnd, 'cache recovered') }).toEqual({
      degraded: 1,
      recovered: 0,
    })

    // The cluster's own recovery (a restarted master has a 2 s writable delay; a master marked failed
    // is cleared 2 node timeouts after the mark) is Redis's, not the BFF's: wait for it, then time the BFF.
    await repair()
    await cluster.waitOk(5 * cluster.nodeTimeoutMs)
    await victimHitsResume()
    expect({ degraded: logged(outageEnd, logs.length, 'cache degraded'), recovered: logged(outageEnd, logs.length, 'cache recovered') }).toEqual({
      degraded: 0,
      recovered: 1,
    })
  })
})
