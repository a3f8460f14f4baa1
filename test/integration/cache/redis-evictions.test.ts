import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { createCacheCounters, type CacheCounters } from '../../../src/cache/counters.js'
import { createKeyspace } from '../../../src/cache/keys.js'
import { createRedisEvictions, type RedisEvictions } from '../../../src/cache/redis-evictions.js'
import { subscriberNodes } from '../../../src/plugins/redis.js'
import { startRedisServer, testClient, type RedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog } from '../../unit/cache/fixtures.js'
import { EVICTING, evicted, evictedKeys, fill, subscribers, type KeyMaker } from './evictions.js'

const CHANNEL = '__keyevent@0__:evicted'
/** Keys per kind when four kinds are written (4 MB against 2 MB free), and when one is (ALONE). */
const COUNT = 1_000
const ALONE = 4_000
// Version 2: keys of version 1 under the same prefix are another deployment's.
const keyspace = createKeyspace({ prefix: 'evict:', version: 2 })
const product: KeyMaker = (i) => keyspace.entity('catalog', 'product', String(i))
const user: KeyMaker = (i) => keyspace.entity('users', 'user', String(i))
const otherTenant: KeyMaker = (i) => `tenant-b:catalog:product:${i}`
const otherVersion: KeyMaker = (i) => `evict:v1:catalog:product:${i}`

/** The module under test on `client`'s server, closed when the test ends. */
function listen(client: Redis, counters: CacheCounters, log = captureLog().log): RedisEvictions {
  const evictions = createRedisEvictions({ nodes: () => subscriberNodes(client), keyspace, counters, reconnectDelayMs: () => 20, log })
  onTestFinished(() => evictions.close())
  return evictions
}

const evictionsOf = (counters: CacheCounters, label: string): number => counters.snapshot()[label]?.evictions ?? 0

async function startServer(args: readonly string[]): Promise<{ server: RedisServer; client: Redis }> {
  const server = await startRedisServer({ args })
  return { server, client: testClient(server) }
}

describe('Redis evictions per resource, from keyevent notifications', () => {
  describe('on a server with notify-keyspace-events Ee', () => {
    let server: RedisServer
    let client: Redis
    beforeAll(async () => {
      ;({ server, client } = await startServer(['--notify-keyspace-events', 'Ee', ...EVICTING]))
    })
    afterAll(async () => {
      client?.disconnect()
      await server?.stop()
    })
    beforeEach(async () => {
      await client.flushall()
    })

    it('counts each evicted key of ours under its resource, and no key outside our namespace', async () => {
      const counters = createCacheCounters()
      const evictions = listen(client, counters)
      await waitFor(() => evictions.status === 'subscribed', { message: 'the eviction subscription' })
      await fill(client, [product, otherTenant, user, otherVersion], COUNT)

      // Published after the fill: it reaches the subscriber after every eviction the fill caused (one connection, in order).
      await client.publish(CHANNEL, keyspace.entity('sentinel', 'end', '1'))
      await waitFor(() => evictionsOf(counters, 'sentinel:end') === 1, { message: 'the sentinel' })
      // Other tenants' and versions' keys were evicted too, and none of them was counted (they would show as `other`).
      expect((await evicted(client, otherTenant, COUNT)) + (await evicted(client, otherVersion, COUNT))).toBeGreaterThan(0)
      expect(Object.keys(counters.snapshot()).sort()).toEqual(['catalog:product', 'sentinel:end', 'users:user'])
      // Exactly the keys that are gone. Waited for: a command may still evict (the subscriber's buffer counts as memory).
      const expected = async () => ({ product: await evicted(client, product, COUNT), user: await evicted(client, user, COUNT) })
      const counted = await waitFor(
        async () => {
          const gone = await expected()
          return evictionsOf(counters, 'catalog:product') === gone.product && evictionsOf(counters, 'users:user') === gone.user ? gone : null
        },
        { message: 'a count per resource equal to its evicted keys' },
      )
      expect(counted.product).toBeGreaterThan(0)
      expect(counted.user).toBeGreaterThan(0)

      await evictions.close()
      await waitFor(async () => (await subscribers(client, CHANNEL)) === 0, { message: 'the subscriber connection to close' })
    })

    // Last on this server: it restarts it.
    it('is `connecting` while the server is down, subscribes again when it is back, and counts from then on', async () => {
      const counters = createCacheCounters()
      const evictions = listen(client, counters)
      await waitFor(() => evictions.status === 'subscribed', { message: 'the eviction subscription' })
      await server.kill()
      await waitFor(() => evictions.status === 'connecting', { message: 'the lost subscription to show' })
      await server.restart()
      await waitFor(() => evictions.status === 'subscribed' && client.status === 'ready', { timeoutMs: 10_000, message: 'the subscription to come back' })
      await fill(client, [product], ALONE)
      await waitFor(async () => evictionsOf(counters, 'catalog:product') === (await evicted(client, product, ALONE)) && evictionsOf(counters, 'catalog:product') > 0, {
        message: 'evictions after the restart to be counted',
      })
    })
  })

  describe('on a server without eviction events', () => {
    let server: RedisServer
    let client: Redis
    beforeAll(async () => {
      ;({ server, client } = await startServer(EVICTING))
    })
    afterAll(async () => {
      client?.disconnect()
      await server?.stop()
    })

    it('says disabled-on-server, logs once what to set, and neither subscribes nor changes the server config', async () => {
      const { log, lines } = captureLog()
      const counters = createCacheCounters()
      const evictions = listen(client, counters, log)
      await waitFor(() => evictions.status === 'disabled-on-server', { message: 'the disabled status' })
      await fill(client, [product], ALONE)
      expect(await evictedKeys(client)).toBeGreaterThan(0)

      expect(evictions.status).toBe('disabled-on-server')
      expect(await client.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', ''])
      // Nobody listens, so nothing can be counted: not a count that happens to be zero yet.
      expect(await subscribers(client, CHANNEL)).toBe(0)
      expect(counters.snapshot()).toEqual({})
      const advice = lines.filter((line) => String(line['msg']).includes('notify-keyspace-events Ee'))
      expect(advice.map((line) => line['level'])).toEqual([30])
    })
  })

  describe('on a server that refuses CONFIG (as managed Redis may)', () => {
    let server: RedisServer
    let client: Redis
    beforeAll(async () => {
      ;({ server, client } = await startServer(['--notify-keyspace-events', 'Ee', '--rename-command', 'CONFIG', '', ...EVICTING]))
    })
    afterAll(async () => {
      client?.disconnect()
      await server?.stop()
    })

    it('says unknown, logs once, and still counts what the server publishes', async () => {
      const { log, lines } = captureLog()
      const counters = createCacheCounters()
      const evictions = listen(client, counters, log)
      await waitFor(() => evictions.status === 'unknown', { message: 'the unknown status' })
      await fill(client, [product], ALONE)
      await waitFor(async () => evictionsOf(counters, 'catalog:product') === (await evicted(client, product, ALONE)) && evictionsOf(counters, 'catalog:product') > 0, {
        message: 'evictions to be counted',
      })
      expect(lines.filter((line) => String(line['msg']).includes('was refused')).map((line) => line['level'])).toEqual([30])
    })
  })
})
