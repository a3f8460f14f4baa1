import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql } from '../../helpers/stack.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, commandCallsIn, putStock, startCacheStack, startPeer, type CacheStack } from './cache-stack.js'
import { subscribers } from './evictions.js'

const PREFIX = 'l1-failover:'
/** The invalidation channel (plugins/cache.ts: `<CACHE_KEY_PREFIX>l1:invalidate`). */
const CHANNEL = `${PREFIX}l1:invalidate`
/** Entries stay fresh, and in the L1, for the whole test however slow the machine: only invalidations and suspensions drop them. */
const LONG = { CACHE_L1_TTL_MS: '60000', CACHE_TTL_OVERRIDES: '{"Product.price":60,"Product.stock":60}' }
const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name stock price { amount } } }'
type Product = { id: string; name: string; stock: number; price: { amount: number } }
/** The product the peer invalidates at the end. */
const WATCHED = '4242'

/**
 * The L1's invalidation subscriber on a 3-master Redis Cluster (no replicas)
 * when the node it listens on dies: the L1 is bypassed at once and comes back
 * on a surviving master with the dead one still down. Classic pub/sub carries
 * no key, so Redis 7 neither redirects SUBSCRIBE / PUBLISH nor refuses them
 * with CLUSTERDOWN (only keyed commands are checked against the slot map):
 * the subscription holds, and can be made again, once the survivors have
 * marked the cluster failed. What a failed cluster does stop is the peer's
 * invalidation itself: the store delete goes first and fails, so the
 * broadcast waits for the cluster to be ok again (entity-cache.ts).
 */
describe('L1 invalidation subscriber on a Redis Cluster when its node is killed', () => {
  let cluster: RedisCluster
  let stack: CacheStack
  let peer: CacheStack
  /** Index of the master the first instance's subscriber listened on at start. */
  let victim: number
  const logs: Record<string, unknown>[] = []

  /** Subscribers to CHANNEL on each node: for classic channels PUBSUB NUMSUB counts the node's own clients only. */
  const listeners = async (): Promise<(number | null)[]> =>
    cluster.eachNode((node) => subscribers(node, CHANNEL).catch(() => null))

  beforeAll(async () => {
    cluster = await startRedisCluster()
    const env = { REDIS_CLUSTER_NODES: cluster.nodes, CACHE_KEY_PREFIX: PREFIX, ...LONG }
    stack = await startCacheStack(env, {
      logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } },
    })
    // Before the peer subscribes too: the one node with a listener is the first instance's.
    const [at, ...others] = (await listeners()).flatMap((count, index) => (count === 1 ? [index] : []))
    if (at === undefined || others.length > 0) throw new Error(`expected the first instance subscribed on exactly one node, got ${JSON.stringify(await listeners())}`)
    victim = at
    peer = await startPeer(stack, env)
  })
  afterAll(async () => {
    await peer?.close()
    await stack?.close()
    await cluster?.stop()
  })

  /** GET / MGET calls over every node (INFO commandstats): 0 more across a read means the L1 answered it. */
  const storeReads = async (): Promise<number> =>
    (await cluster.eachNode((node) => node.info('commandstats'))).reduce(
      (sum, info) => sum + commandCallsIn(info, 'get') + commandCallsIn(info, 'mget'),
      0,
    )
  const l1 = async (of: CacheStack = stack) => (await cacheReadiness(of)).l1
  const survivors = (): number[] => cluster.ports.map((_, index) => index).filter((index) => index !== victim)
  /** Subscribers to CHANNEL on the masters that stayed up. */
  const onSurvivors = async (): Promise<number> => {
    const counts = await listeners()
    return survivors().reduce((sum, index) => sum + (counts[index] ?? 0), 0)
  }
  const logged = (from: number, prefix: string): number => logs.slice(from).filter((line) => String(line['msg']).startsWith(prefix)).length

  async function product(of: CacheStack, id: string): Promise<Product> {
    const answer = await gql(of, PRODUCT, { id })
    expect({ status: answer.status, errors: answer.body.errors }).toEqual({ status: 200, errors: undefined })
    return (answer.body.data as { product: Product }).product
  }

  /** Queries the first instance back to back until `stop()`; returns the ones that failed (non-200, GraphQL errors, wrong id). */
  function load(): { stop(): Promise<string[]> } {
    const failed: string[] = []
    let stopping = false
    let next = 0
    const run = (async () => {
      while (!stopping) {
        const id = String(4_000 + (next++ % 30))
        const answer = await gql(stack, PRODUCT, { id }).catch((error: unknown) => ({ status: 0, body: { errors: [{ message: String(error) }], data: null } }))
        const got = (answer.body.data?.['product'] as { id?: string } | null | undefined)?.id
        if (answer.status !== 200 || answer.body.errors !== undefined || got !== id) failed.push(`${id}: ${answer.status} ${JSON.stringify(answer.body.errors)}`)
      }
    })()
    return {
      async stop() {
        stopping = true
        await run
        return failed
      },
    }
  }

  it('is bypassed at once, resubscribes on a surviving master without a restart (also while the cluster is down), and hears the peer there', async () => {
    await product(stack, WATCHED)
    await product(stack, WATCHED)
    expect(await l1()).toMatchObject({ active: true })
    expect((await l1()).entries).toBeGreaterThan(0)
    const logStart = logs.length
    const queries = load()

    // The node under the subscriber dies: the socket closes, and from then on this instance could miss an invalidation.
    await cluster.kill(victim)
    const bypassed = await waitFor(
      async () => {
        const now = await l1()
        return now.active ? null : now
      },
      { timeoutMs: 2_000, message: 'the L1 to be bypassed' },
    )
    // Emptied with the suspension, and not refilled while suspended, load or not.
    expect(bypassed.entries).toBe(0)
    expect(logged(logStart, 'l1 cache bypassed')).toBe(1)
    // Back on another master, the killed one still down: the subscriber walks the known nodes.
    await waitFor(async () => (await l1()).active, { timeoutMs: 5_000, message: 'the L1 back in use, subscribed on a surviving master' })
    expect(await cluster.state(victim)).toBeNull()
    // The peer too (both usually start on the first known node). ioredis drops a node from `nodes('all')`
    // only when its own connection to it ends: an instance that never opened one (the idle peer, often)
    // still lists the dead node, and only walking on to the next node gets it off it.
    await waitFor(async () => (await onSurvivors()) === 2, { timeoutMs: 5_000, message: 'both instances subscribed on the surviving masters' })
    expect(await cluster.state(victim)).toBeNull()

    // The survivors give up on the dead master (cluster-node-timeout plus gossip): CLUSTERDOWN for every key.
    await waitFor(async () => (await Promise.all(survivors().map((index) => cluster.state(index)))).every((state) => state === 'fail'), {
      timeoutMs: 4 * cluster.nodeTimeoutMs,
      message: 'the surviving masters to mark the cluster failed',
    })
    const [first] = survivors()
    await expect(cluster.node(first ?? -1).get(`${PREFIX}any`)).rejects.toThrow(/CLUSTERDOWN/)
    // SUBSCRIBE carries no key: the subscription made before held through it…
    expect(await l1()).toMatchObject({ active: true })
    // …and one made now succeeds too. Drop every subscriber connection on the survivors (a network blip):
    const beforeBlip = logs.length
    await Promise.all(survivors().map((index) => cluster.node(index).client('KILL', 'TYPE', 'pubsub')))
    await waitFor(async () => logged(beforeBlip, 'l1 cache resumed') === 1 && (await l1()).active, {
      timeoutMs: 5_000,
      message: 'the L1 subscribed again while the cluster is down',
    })
    expect(logged(beforeBlip, 'l1 cache bypassed')).toBe(1)
    expect(await Promise.all(survivors().map((index) => cluster.state(index)))).toEqual(['fail', 'fail'])
    expect(await cluster.state(victim)).toBeNull()

    // The dead master back with its slots; neither instance moves its subscription back to it. Only now can the
    // peer invalidate: while the cluster is down its store delete fails, and the broadcast waits for that delete.
    await cluster.restart(victim)
    await cluster.waitOk(5 * cluster.nodeTimeoutMs)
    expect(await queries.stop(), 'failed queries during the outage').toEqual([])
    await waitFor(async () => (await onSurvivors()) === 2, { timeoutMs: 5_000, message: 'both instances subscribed on the surviving masters' })
    expect((await listeners())[victim]).toBe(0)

    // Still listening on a survivor, the first instance hears the peer's invalidation and stops serving the old value.
    const before = await product(stack, WATCHED)
    // Served without a store read: from the L1 (filled by the read above, from the store or, while the breaker still bypasses it, downstream).
    await waitFor(
      async () => {
        const reads = await storeReads()
        return (await product(stack, WATCHED)).stock === before.stock && (await storeReads()) === reads
      },
      { timeoutMs: 5_000, message: `product ${WATCHED} served from the first instance's L1` },
    )
    const stock = before.stock + 17
    await putStock(stack.mocks, WATCHED, stock)
    // The inventory service has changed, but nobody has said so yet: the L1 still answers with the old value.
    expect((await product(stack, WATCHED)).stock).toBe(before.stock)
    const heard = (await l1()).received
    // Only the peer reads this event; the first instance learns of it through the broadcast alone.
    await peer.eventLog.append({ type: 'inventory.changed', productId: WATCHED, stock, priceAmount: before.price.amount })
    await waitFor(async () => (await l1()).received > heard, { timeoutMs: 5_000, message: 'the first instance to hear the peer' })
    expect((await product(stack, WATCHED)).stock).toBe(stock)
    // One outage line and one recovery line per loss of the subscription: the kill, then the blip.
    expect({ bypassed: logged(logStart, 'l1 cache bypassed'), resumed: logged(logStart, 'l1 cache resumed') }).toEqual({ bypassed: 2, resumed: 2 })
  })
})
