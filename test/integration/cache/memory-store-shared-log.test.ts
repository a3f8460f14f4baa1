import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventLog } from '../../../src/events/event-log.js'
import { createRedisStreamEventLog } from '../../../src/events/redis-stream-event-log.js'
import { startRedisServer, testClient, type RedisServer } from '../../helpers/redis-server.js'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { startPeerApp, type PeerApp } from './cache-stack.js'

const PRICE = 'query P($id: ID!) { product(id: $id) { id stock price { amount } } }'
type Priced = { id: string; stock: number; price: { amount: number } }

interface CacheSection {
  readonly backend: string
  readonly resources: Record<string, { readonly maxAgeS: number }>
  readonly l1: { readonly enabled: boolean }
  readonly responses: { readonly enabled: boolean }
}

async function cacheSection(url: string): Promise<CacheSection> {
  const answer = await request(`${url}/health/ready`)
  return ((await answer.body.json()) as { cache: CacheSection }).cache
}

async function priced(url: string, id: string): Promise<Priced> {
  const answer = await gql({ bffUrl: url }, PRICE, { id })
  expect({ status: answer.status, errors: answer.body.errors }).toEqual({ status: 200, errors: undefined })
  return (answer.body.data as { product: Priced }).product
}

/**
 * CACHE_STORE=memory beside Redis: each instance keeps its entities in
 * process, and the event log on Redis Streams, which the services write and
 * every instance reads, keeps them in step. Two instances over one mock
 * fleet whose inventory service publishes to that log, as in production.
 */
describe('entities in process, events from the shared log (CACHE_STORE=memory with Redis)', () => {
  let redis: RedisServer
  let serviceLog: EventLog
  let a: Stack
  let b: PeerApp
  const streamKey = `events:${randomUUID()}`

  beforeAll(async () => {
    redis = await startRedisServer()
    const env = { REDIS_URL: redis.url, CACHE_STORE: 'memory', EVENT_LOG_STREAM_KEY: streamKey, CACHE_KEY_PREFIX: 'mem-log:' }
    serviceLog = createRedisStreamEventLog({ url: redis.url, streamKey, log: { debug: () => undefined, info: () => undefined, warn: () => undefined } })
    a = await startStack({ env, mocks: { eventLog: serviceLog } })
    b = await startPeerApp(a.mocks, env)
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
    await serviceLog?.close()
    await redis?.stop()
  })

  it('keeps entities in each process, none in Redis, holding event-invalidated ones past their maxAge', async () => {
    for (const url of [a.bffUrl, b.bffUrl]) {
      const cache = await cacheSection(url)
      expect({ backend: cache.backend, l1: cache.l1.enabled, responses: cache.responses.enabled }).toEqual({ backend: 'memory', l1: false, responses: true })
      // The services' events reach this cache, so stock stays fresh until its event, not for 5 s.
      expect(cache.resources['inventory:stock']?.maxAgeS).toBe(300)
    }
    await priced(a.bffUrl, '41')
    await priced(b.bffUrl, '41')
    const client = testClient(redis)
    try {
      expect(await client.keys('mem-log:*')).toEqual([])
    } finally {
      client.disconnect()
    }
  })

  it('drops both instances\' copies when the service publishes a change, and each then answers it', async () => {
    const inventory = a.mocks.urls.inventory
    const before = await priced(a.bffUrl, '42')
    expect(await priced(b.bffUrl, '42')).toEqual(before)
    const fetched = (await mockStats(inventory)).byRoute['GET /inventory'] ?? 0
    // Warm on both: no call.
    expect([await priced(a.bffUrl, '42'), await priced(b.bffUrl, '42')]).toEqual([before, before])
    expect((await mockStats(inventory)).byRoute['GET /inventory'] ?? 0).toBe(fetched)

    const changed = await request(`${inventory}/inventory/42`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stock: before.stock + 7 }),
    })
    await changed.body.dump()
    expect(changed.statusCode).toBe(200)
    for (const url of [a.bffUrl, b.bffUrl]) {
      await waitFor(async () => (await priced(url, '42')).stock === before.stock + 7, { message: `${url} to answer the new stock` })
    }
    // One fetch per instance after the event: each process refills its own copy.
    expect((await mockStats(inventory)).byRoute['GET /inventory'] ?? 0).toBe(fetched + 2)
  })
})
