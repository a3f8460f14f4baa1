import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyspace } from '../../../src/cache/keys.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, startCacheStack, type CacheStack } from './cache-stack.js'
import { expectNoQueryFailedOrWaited, expectReportedDegraded, outageLines, productLoad, REDIS_TIMEOUT_MS, type ProductLoad } from './outage-load.js'

/** What the BFF itself needs once the cluster is ok again: a breaker probe (1 s), a slot refresh; then the recovery hold (2 s). */
const BFF_RECOVERY_MS = 5_000
const PREFIX = 'cluster-outage:'
/** The product the recovery checks read; the master holding its key is the one that goes down. */
const HOT = '1999'
const hotKey = createKeyspace({ prefix: PREFIX, version: 1 }).entity('catalog', 'product', HOT)

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
  let products: ProductLoad

  beforeAll(async () => {
    cluster = await startRedisCluster()
    stack = await startCacheStack(
      {
        REDIS_CLUSTER_NODES: cluster.nodes,
        CACHE_KEY_PREFIX: PREFIX,
        CACHE_KEY_VERSION: '1',
        CACHE_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        // Stock entries expire every few seconds, as their maxAge says: the load keeps reading the
        // store through the outage instead of living on the L1 for the event-invalidated period.
        CACHE_EVENT_INVALIDATED_MAX_AGE_S: '0',
        // The recovery check watches store reads on the restored master; an L1 copy of the hot product
        // hides them for its whole life, so it lives a second here rather than the default five.
        CACHE_L1_TTL_MS: '1000',
      },
      { logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } },
    )
    products = productLoad(stack)
    victim = await cluster.ownerOf(hotKey)
  })
  afterAll(async () => {
    await stack?.close()
    await cluster?.stop()
  })

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
        await products.query(HOT)
        await products.query(HOT)
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

  it.each([
    ['killed (SIGKILL)', () => cluster.kill(victim), () => cluster.restart(victim)],
    ['frozen (SIGSTOP)', async () => cluster.freeze(victim), async () => cluster.resume(victim)],
  ] as const)('the master holding a hot key %s mid-load', async (_name, breakIt, repair) => {
    // Start from a healthy cluster and cache (the previous outage may still be recovering).
    await cluster.waitOk()
    await victimHitsResume()
    await Promise.all(Array.from({ length: 60 }, () => products.query()))
    // The hot key really lives on the master about to go down.
    expect(await cluster.node(victim).exists(hotKey)).toBe(1)
    const baseline = await products.baselineMaxMs()
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
    const outcomes = await products.load(outage)
    expectNoQueryFailedOrWaited(outcomes, baseline)
    await expectReportedDegraded(stack)
    // The queries did reach the broken master (not only the L1 or the breaker's bypass).
    expect(await storeErrorCount()).toBeGreaterThan(storeErrors)
    // While only the victim's slots failed, a breaker probe could land on a live master and close the
    // breaker for a moment; the outage is still logged once (the guard's recovery hold).
    const outageEnd = logs.length
    expect(outageLines(logs, logStart, outageEnd)).toEqual({ degraded: 1, recovered: 0 })

    // The cluster's own recovery (a restarted master has a 2 s writable delay; a master marked failed
    // is cleared 2 node timeouts after the mark) is Redis's, not the BFF's: wait for it, then time the BFF.
    await repair()
    await cluster.waitOk(5 * cluster.nodeTimeoutMs)
    await victimHitsResume()
    expect(outageLines(logs, outageEnd, logs.length)).toEqual({ degraded: 0, recovered: 1 })
  })
})
