import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, startCacheStack, type CacheStack } from './cache-stack.js'
import { expectNoQueryFailedOrWaited, expectReportedDegraded, outageLines, productLoad, REDIS_TIMEOUT_MS, type ProductLoad } from './outage-load.js'

describe('Redis outage: the cache degrades, queries never fail', () => {
  let redis: RedisServer
  let stack: CacheStack
  const logs: Record<string, unknown>[] = []
  let products: ProductLoad

  beforeAll(async () => {
    redis = await startRedisServer()
    stack = await startCacheStack(
      // Stock entries expire as their maxAge says, so the load keeps reading the store through the outage.
      { REDIS_URL: redis.url, CACHE_KEY_PREFIX: 'outage:', CACHE_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS), CACHE_EVENT_INVALIDATED_MAX_AGE_S: '0' },
      { logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } },
    )
    products = productLoad(stack)
  })
  afterAll(async () => {
    await stack.close()
    await redis.stop()
  })

  async function hitsResume(): Promise<void> {
    const before = await counter(stack, 'catalog:product', 'hits')
    let probes = 0
    await waitFor(
      async () => {
        // The same product twice: the second read is a hit once Redis takes writes again.
        await products.query('1999')
        await products.query('1999')
        // Once '1999' is held in the L1 and as a kept answer, it reaches no store; a product nobody
        // holds does, so the store breaker gets its probe.
        await products.query(String(1_900 + (probes++ % 60)))
        const readiness = await cacheReadiness(stack)
        return readiness.breaker === 'closed' && (await counter(stack, 'catalog:product', 'hits')) > before
      },
      { timeoutMs: 5_000, message: 'cache hits with the breaker closed' },
    )
    // Readiness says recovered once the breaker has stayed closed for the guard's recovery hold (2 s).
    await waitFor(async () => !(await cacheReadiness(stack)).degraded, { timeoutMs: 5_000, message: 'readiness no longer degraded' })
  }


  it.each([
    ['killed (SIGKILL)', () => redis.kill(), () => redis.restart()],
    ['frozen (SIGSTOP)', () => redis.freeze(), () => redis.resume()],
  ] as const)('Redis %s mid-load', async (_name, breakIt, repair) => {
    // Start from a healthy cache (the previous outage may still be recovering).
    await hitsResume()
    await Promise.all(Array.from({ length: 60 }, () => products.query()))
    const baseline = await products.baselineMaxMs()
    const logStart = logs.length

    let probes = 0
    const degraded = (async () => {
      await breakIt()
      return waitFor(
        async () => {
          // The load's products sit in the L1 and as kept answers, which can answer every read for an
          // L1 life; a product nobody holds reaches the store, so its breaker sees the outage.
          await products.query(String(1_800 + (probes++ % 60)))
          const readiness = await cacheReadiness(stack)
          return readiness.degraded && readiness.breaker !== 'closed'
        },
        { timeoutMs: 5_000, message: 'cache degraded, its store breaker open' },
      )
    })()
    const outcomes = await products.load(degraded)
    expectNoQueryFailedOrWaited(outcomes, baseline)
    await expectReportedDegraded(stack)

    // One line for the whole outage, however many probes failed during it.
    const outageEnd = logs.length
    expect(outageLines(logs, logStart, outageEnd)).toEqual({ degraded: 1, recovered: 0 })
    await repair()
    await hitsResume()
    // Recovered once: a fresh Redis that fails once more on a busy machine is absorbed by the recovery hold.
    expect(outageLines(logs, outageEnd, logs.length)).toEqual({ degraded: 0, recovered: 1 })
  })
})
