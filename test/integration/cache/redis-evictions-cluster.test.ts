import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createCacheCounters } from '../../../src/cache/counters.js'
import { createKeyspace } from '../../../src/cache/keys.js'
import { createRedisEvictions } from '../../../src/cache/redis-evictions.js'
import { subscriberNodes, watchTopology } from '../../../src/plugins/redis.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog } from '../../unit/cache/fixtures.js'
import { EVICTING_CONFIG, evicted, evictedKeys, fill, subscribers, type KeyMaker } from './evictions.js'

const CHANNEL = '__keyevent@0__:evicted'
/** Keys per kind: 2 × 5 MB over three masters with about 2 MB free each. */
const COUNT = 5_000
const keyspace = createKeyspace({ prefix: 'evict-cluster:', version: 1 })
const product: KeyMaker = (i) => keyspace.entity('catalog', 'product', String(i))
const user: KeyMaker = (i) => keyspace.entity('users', 'user', String(i))

describe('Redis evictions per resource on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster
  let client: Cluster
  beforeAll(async () => {
    cluster = await startRedisCluster()
    // `A` is the alias that includes `e`; set by the test, as an operator would.
    await cluster.eachNode((node) => node.config('SET', 'notify-keyspace-events', 'AE', ...EVICTING_CONFIG))
    client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 1 } },
    )
    client.on('error', () => undefined)
    await waitFor(() => client.status === 'ready', { timeoutMs: 10_000, message: 'the cluster client' })
  })
  afterAll(async () => {
    client?.disconnect()
    await cluster?.stop()
  })

  it('listens on every master, and counts the evictions of each one', async () => {
    const counters = createCacheCounters()
    const evictions = createRedisEvictions({
      nodes: () => subscriberNodes(client),
      watchTopology: (listener) => watchTopology(client, listener),
      keyspace,
      counters,
      reconnectDelayMs: () => 20,
      log: captureLog().log,
    })
    onTestFinished(() => evictions.close())
    await waitFor(() => evictions.status === 'subscribed', { message: 'the eviction subscriptions' })
    expect(await cluster.eachNode((node) => subscribers(node, CHANNEL))).toEqual([1, 1, 1])

    await fill(client, [product, user], COUNT)
    // Every master evicted some of them: counting all of them below needs a subscription on each.
    for (const keys of await cluster.eachNode(evictedKeys)) expect(keys).toBeGreaterThan(0)
    const counted = (label: string): number => counters.snapshot()[label]?.evictions ?? 0
    await waitFor(
      async () => counted('catalog:product') === (await evicted(client, product, COUNT)) && counted('users:user') === (await evicted(client, user, COUNT)),
      { message: 'a count per resource equal to its evicted keys, over all masters' },
    )
    expect(Object.keys(counters.snapshot()).sort()).toEqual(['catalog:product', 'users:user'])
  })
})
