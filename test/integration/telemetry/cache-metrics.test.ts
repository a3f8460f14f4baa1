import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { scrape, total } from '../../helpers/metrics.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { gql, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'

const USER = '{ user(id: "1") { id name } }'

let stack: Stack | undefined
let redis: RedisServer | undefined
afterEach(async () => {
  await stack?.close()
  await redis?.stop()
  stack = undefined
  redis = undefined
})

async function readyCache(bffUrl: string): Promise<{ breaker?: string }> {
  const response = await request(`${bffUrl}/health/ready`)
  return ((await response.body.json()) as { cache: { breaker?: string } }).cache
}

describe('cache metrics with Redis', () => {
  it('reports the store breaker as /health/ready does: closed (0) while Redis answers, open (2) once it is gone', async () => {
    redis = await startRedisServer()
    stack = await startStack({ REDIS_URL: redis.url, CACHE_BREAKER_THRESHOLD: '2' })
    await gql(stack, USER)
    await gql(stack, USER)
    let metrics = await scrape(stack.bffUrl)
    expect(total(metrics, 'bff_cache_store_breaker_state')).toBe(0)
    expect((await readyCache(stack.bffUrl)).breaker).toBe('closed')
    expect(total(metrics, 'bff_cache_lookups_total', { resource: 'users:user', result: 'hit' })).toBeGreaterThanOrEqual(1)

    await redis.kill()
    const bff = stack
    await waitFor(
      async () => {
        await gql(bff, USER)
        return (await readyCache(bff.bffUrl)).breaker === 'open'
      },
      { timeoutMs: 10_000, intervalMs: 50, message: 'the store breaker to open' },
    )
    metrics = await scrape(stack.bffUrl)
    expect(total(metrics, 'bff_cache_store_breaker_state')).toBe(2)
  })
})
