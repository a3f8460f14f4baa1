import { randomUUID } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../../src/cache/store.js'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { createRedisStore } from '../../../src/cache/redis-store.js'
import { waitFor } from '../../helpers/wait-for.js'
import { BACKENDS, startBacking, type Backing } from './cache-stack.js'

/**
 * The one contract both store implementations (and Redis Cluster) must meet:
 * the entity cache is written against it and never checks which one it has.
 */
describe.each(BACKENDS)('Cache store contract: %s', (backend) => {
  let backing: Backing
  let client: Redis | Cluster | null = null
  let store: Store

  beforeAll(async () => {
    backing = await startBacking(backend)
    const options = { enableAutoPipelining: true, enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 1_000 }
    if (backend === 'redis') client = new Redis(backing.env['REDIS_URL'] ?? '', options)
    if (backend === 'redis-cluster') {
      client = new Cluster((backing.env['REDIS_CLUSTER_NODES'] ?? '').split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })), {
        ...options,
        redisOptions: { commandTimeout: 1_000 },
      })
    }
    await client?.connect()
    store = client === null ? createMemoryStore({ maxEntries: 1_000 }) : createRedisStore({ client })
  })
  afterAll(async () => {
    await store.close()
    client?.disconnect()
    await backing.stop()
  })

  const ns = (): string => `t-${randomUUID().slice(0, 8)}:`

  it('reads many addresses in order, null for misses', async () => {
    const p = ns()
    await store.setMany([
      { address: { key: `${p}a` }, value: 'A', ttlMs: 10_000 },
      { address: { key: `${p}c` }, value: 'C', ttlMs: 10_000 },
    ])
    expect(await store.getMany([{ key: `${p}a` }, { key: `${p}b` }, { key: `${p}c` }])).toEqual(['A', null, 'C'])
    expect(await store.getMany([])).toEqual([])
  })

  it('keeps group members apart and drops them all with the group key', async () => {
    const p = ns()
    const group = `${p}orders:{u:7}`
    await store.setMany([
      { address: { key: group, member: '5:' }, value: 'page-5', ttlMs: 10_000 },
      { address: { key: group, member: '10:c1' }, value: 'page-10', ttlMs: 10_000 },
      { address: { key: `${p}plain` }, value: 'P', ttlMs: 10_000 },
    ])
    const read = () => store.getMany([{ key: group, member: '5:' }, { key: group, member: '10:c1' }, { key: group, member: 'x' }, { key: `${p}plain` }])
    expect(await read()).toEqual(['page-5', 'page-10', null, 'P'])
    await store.invalidate([group, `${p}feed:{u:7}`, `${p}plain`])
    expect(await read()).toEqual([null, null, null, null])
  })

  it.runIf(backend === 'redis')('writes a batch as one transaction, each key with its own TTL', async () => {
    const p = ns()
    const calls = (command: string): Promise<number> => backing.commandCalls(command)
    const [multiBefore, execBefore] = [await calls('multi'), await calls('exec')]
    await store.setMany([
      { address: { key: `${p}list:{u:9}`, member: '5:' }, value: 'page', ttlMs: 10_000 },
      { address: { key: `${p}list:{u:9}`, member: '10:c1' }, value: 'page-10', ttlMs: 10_000 },
      { address: { key: `${p}feed:{u:9}`, member: '5:' }, value: 'feed', ttlMs: 10_000 },
      ...Array.from({ length: 8 }, (_, n) => ({ address: { key: `${p}order:${n}` }, value: `o${n}`, ttlMs: 20_000 + n })),
    ])
    // One MULTI/EXEC for all eleven writes: before, each of the three group members had its own.
    expect([await calls('multi'), await calls('exec')]).toEqual([multiBefore + 1, execBefore + 1])
    expect(await store.getMany([{ key: `${p}list:{u:9}`, member: '10:c1' }, { key: `${p}feed:{u:9}`, member: '5:' }, { key: `${p}order:7` }])).toEqual(['page-10', 'feed', 'o7'])
    const ttl = await client?.pttl(`${p}order:7`)
    expect(ttl).toBeGreaterThan(10_000)
    expect(ttl).toBeLessThanOrEqual(20_007)
    expect(await client?.pttl(`${p}list:{u:9}`)).toBeLessThanOrEqual(10_000)
  })

  it('expires entries after their TTL', async () => {
    const p = ns()
    await store.setMany([
      { address: { key: `${p}short` }, value: 's', ttlMs: 150 },
      { address: { key: `${p}group`, member: 'm' }, value: 'g', ttlMs: 150 },
      { address: { key: `${p}long` }, value: 'l', ttlMs: 60_000 },
    ])
    await waitFor(async () => {
      const [short, member] = await store.getMany([{ key: `${p}short` }, { key: `${p}group`, member: 'm' }])
      return short === null && member === null
    }, { timeoutMs: 3_000, message: 'short TTL entries to expire' })
    expect(await store.getMany([{ key: `${p}long` }])).toEqual(['l'])
  })

  it('grants a lease once until it is released or expires', async () => {
    const p = ns()
    expect(await store.tryLeases([`${p}l1`, `${p}l2`], 10_000)).toEqual([true, true])
    expect(await store.tryLeases([`${p}l1`, `${p}l3`], 10_000)).toEqual([false, true])
    await store.invalidate([`${p}l1`])
    expect(await store.tryLeases([`${p}l1`], 10_000)).toEqual([true])
    expect(await store.tryLeases([`${p}short`], 100)).toEqual([true])
    await waitFor(async () => (await store.tryLeases([`${p}short`], 100))[0] === true, { timeoutMs: 3_000, message: 'lease expiry' })
  })

  it('deletes a whole namespace by prefix and nothing else', async () => {
    const p = ns()
    const other = ns()
    await store.setMany([
      ...Array.from({ length: 30 }, (_, i) => ({ address: { key: `${p}k${i}` }, value: String(i), ttlMs: 10_000 })),
      { address: { key: `${other}keep` }, value: 'kept', ttlMs: 10_000 },
    ])
    expect(await store.invalidatePrefix(p)).toBe(30)
    expect(await store.getMany([{ key: `${p}k0` }, { key: `${p}k29` }, { key: `${other}keep` }])).toEqual([null, null, 'kept'])
  })

  it.runIf(backend !== 'memory')('gives every key it writes a TTL (no immortal keys)', async () => {
    const p = ns()
    await store.setMany([
      { address: { key: `${p}plain` }, value: 'x', ttlMs: 5_000 },
      { address: { key: `${p}group` }, value: 'y', ttlMs: 5_000 },
      { address: { key: `${p}hash`, member: 'm' }, value: 'z', ttlMs: 5_000 },
    ])
    await store.tryLeases([`${p}lease`], 5_000)
    const ttls = await Promise.all([`${p}plain`, `${p}group`, `${p}hash`, `${p}lease`].map((key) => client?.pttl(key)))
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(0)
  })
})
