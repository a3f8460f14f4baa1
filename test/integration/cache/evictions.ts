import type { Cluster, Redis } from 'ioredis'

/**
 * redis-server arguments for a store that must evict: 3 MB (about 2 MB above
 * an empty server's use), LRU over all keys, and eviction done within the
 * write that needs it (`maxmemory-eviction-tenacity 100`: no background
 * eviction after the write returns, so every eviction a fill causes has
 * happened, and been published, once the fill's replies are in).
 */
export const EVICTING: readonly string[] = ['--maxmemory', '3mb', '--maxmemory-policy', 'allkeys-lru', '--maxmemory-eviction-tenacity', '100']

/** The same limits set on a running node (CONFIG SET, as an operator would). */
export const EVICTING_CONFIG: readonly string[] = ['maxmemory', '3mb', 'maxmemory-policy', 'allkeys-lru', 'maxmemory-eviction-tenacity', '100']

/** Builds the i-th key of one kind, e.g. `(i) => keyspace.entity('catalog', 'product', String(i))`. */
export type KeyMaker = (i: number) => string

const VALUE = 'x'.repeat(1_000)

/**
 * Writes `count` keys of each kind, 1 kB each, with a 10-minute TTL (as the
 * cache's entries have one), interleaved so that LRU evicts from every kind.
 * Works on a Cluster too (one command per key, auto-pipelined per node).
 */
export async function fill(client: Redis | Cluster, kinds: readonly KeyMaker[], count: number): Promise<void> {
  for (let from = 0; from < count; from += 250) {
    const writes: Promise<unknown>[] = []
    for (let i = from; i < Math.min(from + 250, count); i += 1) {
      for (const key of kinds) writes.push(client.set(key(i), VALUE, 'PX', 600_000))
    }
    await Promise.all(writes)
  }
}

/** How many of the `count` keys of one kind are gone (nothing expires within a test: all were evicted). */
export async function evicted(client: Redis | Cluster, key: KeyMaker, count: number): Promise<number> {
  const present = await Promise.all(Array.from({ length: count }, (_, i) => client.exists(key(i))))
  return count - present.reduce((sum, n) => sum + n, 0)
}

/** `evicted_keys` of INFO stats on one node. */
export async function evictedKeys(node: Redis): Promise<number> {
  const match = /^evicted_keys:(\d+)/m.exec(await node.info('stats'))
  return match === null ? 0 : Number(match[1])
}

/** Subscribers of a channel on one node. */
export async function subscribers(node: Redis, channel: string): Promise<number> {
  const reply: unknown = await node.pubsub('NUMSUB', channel)
  return Array.isArray(reply) && typeof reply[1] === 'number' ? reply[1] : 0
}
