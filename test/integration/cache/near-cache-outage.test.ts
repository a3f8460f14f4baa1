import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, counter, startBacking, startCacheStack, type Backing, type CacheStack } from './cache-stack.js'

const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name } }'

describe('L1 while its invalidation subscriber is down', () => {
  let backing: Backing
  let stack: CacheStack
  const logs: Record<string, unknown>[] = []

  beforeAll(async () => {
    backing = await startBacking('redis')
    stack = await startCacheStack(
      { ...backing.env, CACHE_KEY_PREFIX: 'l1-outage:', CACHE_L1_TTL_MS: '60000', CACHE_L1_HEARTBEAT_MS: '100' },
      { logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } },
    )
  })
  afterAll(async () => {
    await stack?.close()
    await backing?.stop()
  })

  async function query(id: string): Promise<void> {
    const answer = await gql(stack, PRODUCT, { id })
    expect({ status: answer.status, errors: answer.body.errors, id: (answer.body.data?.['product'] as { id?: string } | null)?.id }).toEqual({
      status: 200,
      errors: undefined,
      id,
    })
  }
  const l1 = async () => (await cacheReadiness(stack)).l1
  const logged = (from: number, prefix: string): number => logs.slice(from).filter((line) => String(line['msg']).startsWith(prefix)).length

  it('bypasses and empties the L1 until it is subscribed again, with queries succeeding throughout', async () => {
    await query('801')
    expect((await l1()).entries).toBeGreaterThan(0)
    const logStart = logs.length

    await backing.server?.kill()
    // The subscriber's socket closes with the server: from then on this instance could miss an invalidation.
    await waitFor(async () => !(await l1()).active, { timeoutMs: 5_000, message: 'the L1 to be bypassed' })
    expect((await l1()).entries).toBe(0)
    const hits = await counter(stack, 'catalog:product', 'hits')
    for (let i = 0; i < 3; i += 1) await query('801')
    // Neither the L1 nor the (unreachable) store answered: every read went downstream.
    expect(await counter(stack, 'catalog:product', 'hits')).toBe(hits)
    expect((await l1()).entries).toBe(0)

    await backing.server?.restart()
    let probes = 0
    await waitFor(
      async () => {
        // A query for an entry nobody holds makes the store breaker probe Redis again.
        await query(String(900 + probes++))
        const readiness = await cacheReadiness(stack)
        return readiness.l1.active && !readiness.degraded
      },
      { timeoutMs: 10_000, message: 'the L1 to be used again' },
    )
    await query('801')
    await backing.resetStats()
    const resumedHits = await counter(stack, 'catalog:product', 'hits')
    await query('801')
    expect({ storeReads: (await backing.commandCalls('mget')) + (await backing.commandCalls('get')), hits: (await counter(stack, 'catalog:product', 'hits')) - resumedHits }).toEqual({
      storeReads: 0,
      hits: 1,
    })
    // One line when it stopped, one when it resumed, however many reconnect attempts failed between.
    expect({ bypassed: logged(logStart, 'l1 cache bypassed: not subscribed'), resumed: logged(logStart, 'l1 cache resumed: subscribed') }).toEqual({ bypassed: 1, resumed: 1 })
  })

  it('bypasses the L1 and kept answers while Redis is frozen (subscribed, but the channel silent), and uses them again once it answers', async () => {
    await query('802')
    await query('802')
    expect((await l1()).active).toBe(true)
    const logStart = logs.length
    backing.server?.freeze()
    try {
      // The subscriber's TCP connection stays open: only the heartbeat can tell.
      await waitFor(async () => !(await l1()).active, { timeoutMs: 5_000, message: 'the L1 to be bypassed while Redis is frozen' })
      const ready = await cacheReadiness(stack)
      expect({ entries: ready.l1.entries, responses: ready.responses.active, kept: ready.responses.entries }).toEqual({ entries: 0, responses: false, kept: 0 })
    } finally {
      backing.server?.resume()
    }
    await waitFor(async () => {
      const ready = await cacheReadiness(stack)
      return ready.l1.active && ready.responses.active === true
    }, { timeoutMs: 10_000, message: 'the L1 and kept answers to be used again' })
    expect({ silent: logged(logStart, 'l1 cache bypassed: nothing heard'), resumed: logged(logStart, 'l1 cache resumed: the invalidation channel') }).toEqual({ silent: 1, resumed: 1 })
  })
})
