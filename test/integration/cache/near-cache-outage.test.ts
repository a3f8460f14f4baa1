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
      { ...backing.env, CACHE_KEY_PREFIX: 'l1-outage:', CACHE_L1_TTL_MS: '60000' },
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
    expect({ bypassed: logged(logStart, 'l1 cache bypassed'), resumed: logged(logStart, 'l1 cache resumed') }).toEqual({ bypassed: 1, resumed: 1 })
  })
})
