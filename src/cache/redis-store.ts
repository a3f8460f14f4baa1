import { Cluster, type Redis } from 'ioredis'
import type { Store, StoreAddress, StoreWrite } from './store.js'
import { hashTagOf } from './keys.js'

export interface RedisStoreOptions {
  /**
   * A connected ioredis client, owned by the caller (plugins/redis.ts), created
   * with `enableAutoPipelining`, `enableOfflineQueue: false` and a
   * `commandTimeout`: this module adds no queue or retry of its own.
   */
  readonly client: Redis | Cluster
}

/** How many keys one SCAN step asks for while flushing a namespace. */
const SCAN_COUNT = 500

/**
 * The Redis implementation. Commands meant for one round trip are issued in
 * the same tick, so ioredis auto-pipelining sends them as one batch per node.
 *
 * Cluster: a multi-key command must stay in one slot. Reads therefore use
 * per-key GET (not MGET) in cluster mode; deletes group keys by hash tag
 * (one user's private entries share `{u:<id>}`) and send the rest one by one.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { client } = options
  const cluster = client instanceof Cluster

  const readOne = (address: StoreAddress): Promise<string | null> =>
    address.member === undefined ? client.get(address.key) : client.hget(address.key, address.member)

  /**
   * Writes in one MULTI: a group member's HSET and PEXPIRE together, so a
   * group never exists without a TTL (anti-pattern: cache keys that live
   * forever). On a standalone Redis a whole batch goes in one, so it costs one
   * transaction (and one ioredis Pipeline object) instead of one per group
   * member; a background refresh of a user's orders writes the list and each
   * order at once. In a cluster a MULTI must stay in one slot: one write each.
   */
  const writeInOneTransaction = async (writes: readonly StoreWrite[]): Promise<void> => {
    const tx = client.multi()
    for (const { address, value, ttlMs } of writes) {
      if (address.member === undefined) tx.set(address.key, value, 'PX', ttlMs)
      else tx.hset(address.key, address.member, value).pexpire(address.key, ttlMs)
    }
    const results = await tx.exec()
    const failed = results?.find(([error]) => error !== null)?.[0]
    if (failed !== undefined && failed !== null) throw failed
  }

  const writeOne = async (write: StoreWrite): Promise<void> => {
    if (write.address.member === undefined) await client.set(write.address.key, write.value, 'PX', write.ttlMs)
    else await writeInOneTransaction([write])
  }

  const deleteKeys = async (keys: readonly string[]): Promise<void> => {
    if (keys.length === 0) return
    if (!cluster) {
      await client.unlink(...keys)
      return
    }
    const byTag = new Map<string, string[]>()
    const untagged: string[] = []
    for (const key of keys) {
      const tag = hashTagOf(key)
      if (tag === null) untagged.push(key)
      else byTag.set(tag, [...(byTag.get(tag) ?? []), key])
    }
    await Promise.all([...[...byTag.values()].map((group) => client.unlink(...group)), ...untagged.map((key) => client.unlink(key))])
  }

  const scanDelete = (node: Redis, match: string): Promise<number> =>
    new Promise((resolve, reject) => {
      let deleted = 0
      const pending: Promise<unknown>[] = []
      const stream = node.scanStream({ match, count: SCAN_COUNT })
      stream.on('data', (keys: string[]) => {
        deleted += keys.length
        // One UNLINK per key: keys of one SCAN page may sit in different cluster slots.
        for (const key of keys) pending.push(node.unlink(key))
      })
      stream.on('error', reject)
      stream.on('end', () => {
        Promise.all(pending).then(() => resolve(deleted), reject)
      })
    })

  return {
    backend: cluster ? 'redis-cluster' : 'redis',
    async getMany(addresses) {
      if (addresses.length === 0) return []
      if (!cluster && addresses.every((address) => address.member === undefined)) {
        return client.mget(addresses.map((address) => address.key))
      }
      return Promise.all(addresses.map(readOne))
    },
    async setMany(writes) {
      if (writes.length === 0) return
      if (cluster || writes.length === 1) await Promise.all(writes.map(writeOne))
      else await writeInOneTransaction(writes)
    },
    invalidate: deleteKeys,
    async tryLeases(keys, ttlMs) {
      const answers = await Promise.all(keys.map((key) => client.set(key, '1', 'PX', ttlMs, 'NX')))
      return answers.map((answer) => answer === 'OK')
    },
    async invalidatePrefix(prefix) {
      const nodes = client instanceof Cluster ? client.nodes('master') : [client]
      const counts = await Promise.all(nodes.map((node) => scanDelete(node, `${prefix}*`)))
      return counts.reduce((sum, count) => sum + count, 0)
    },
    // The client belongs to plugins/redis.ts, which quits it on close.
    async close() {},
  }
}
