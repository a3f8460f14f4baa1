import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { CacheCounters } from './counters.js'
import type { Keyspace } from './keys.js'
import { createRedisSubscriber, type RedisSubscriber } from './redis-subscriber.js'

/**
 * Whether Redis-side evictions are being counted, as readiness shows it:
 * - `subscribed`: listening on every node, each has `notify-keyspace-events`
 *   with `E` and `e`: the counts are complete (pub/sub is at most once, so
 *   minus any lost with a connection);
 * - `connecting`: not listening on every node right now (start-up, Redis
 *   down, reconnecting): evictions meanwhile are not counted;
 * - `disabled-on-server`: a node's `notify-keyspace-events` lacks `E` or `e`,
 *   so it publishes no evictions (not listened to until the BFF restarts);
 * - `unknown`: listening, but a node refused `CONFIG GET` (managed Redis,
 *   ACL): counted only if the server was configured with `Ee` some other way.
 */
export type EvictionEventsStatus = 'subscribed' | 'connecting' | 'disabled-on-server' | 'unknown'

export interface RedisEvictions {
  readonly status: EvictionEventsStatus
  /** Stops listening on every node. */
  close(): Promise<void>
}

export interface RedisEvictionsOptions {
  /**
   * The nodes to listen on, by a stable id (`host:port`), each with an opener
   * of a new, unconnected connection that does not reconnect by itself
   * (`subscriberNodes` in plugins/redis.ts). Read at start, whenever a node's
   * subscription is lost, and on every `watchTopology` call.
   */
  readonly nodes: () => ReadonlyMap<string, () => Redis>
  /** Subscribes to "the nodes may have changed"; returns the unsubscribe. @default never changes */
  readonly watchTopology?: undefined | ((listener: () => void) => () => void)
  /** Only keys in its namespace are counted; `resourceOf` names the counter (`other` when it names none). */
  readonly keyspace: Keyspace
  readonly counters: CacheCounters
  /** Pause (ms) before the next attempt after `failures` consecutive failed ones (1, 2, …). */
  readonly reconnectDelayMs: (failures: number) => number
  readonly log: FastifyBaseLogger
}

type ServerConfig = 'enabled' | 'disabled' | 'unknown'

interface Node {
  readonly subscriber: RedisSubscriber
  /** What the node answered on the latest connection; null before the first answer. */
  readonly seen: { config: ServerConfig | null }
}

const SETTING = 'notify-keyspace-events'

/** `E`: keyevent channels; `e`: evicted events (`A` is the alias that includes `e`). */
function publishesEvictions(flags: string): boolean {
  return flags.includes('E') && (flags.includes('e') || flags.includes('A'))
}

/**
 * Reads the node's setting without changing it: the Redis may be shared with
 * other tenants, whose subscribers would suddenly get events they never asked
 * for, and managed services refuse CONFIG SET (or CONFIG) anyway. A refusal
 * is an answer ('unknown'); a lost connection rejects, to retry.
 */
async function readServerConfig(connection: Redis): Promise<ServerConfig> {
  let reply: unknown
  try {
    reply = await connection.config('GET', SETTING)
  } catch (err) {
    if (err instanceof Error && err.name === 'ReplyError') return 'unknown'
    throw err
  }
  if (!Array.isArray(reply) || typeof reply[1] !== 'string') return 'unknown'
  return publishesEvictions(reply[1]) ? 'enabled' : 'disabled'
}

/**
 * Counts the entries Redis evicts (maxmemory policy) per resource type, from
 * keyevent notifications (`__keyevent@<db>__:evicted`, message = the key), on
 * a dedicated subscriber connection per node. Every instance hears every
 * eviction of the shared store, so each reports the store's total since it
 * started: do not add them up across instances.
 */
export function createRedisEvictions(options: RedisEvictionsOptions): RedisEvictions {
  const { keyspace, counters, reconnectDelayMs, log } = options
  const nodes = new Map<string, Node>()
  const logged = new Set<ServerConfig>()
  let closed = false

  // Once per verdict, not per node or reconnect: it is the operator's to fix, and the readiness section keeps saying it.
  const advise = (config: ServerConfig, node: string): void => {
    if (config === 'enabled' || logged.has(config)) return
    logged.add(config)
    const what =
      config === 'disabled'
        ? `redis evictions are not counted per resource: the server's ${SETTING} lacks E or e`
        : `redis evictions may not be counted per resource: CONFIG GET ${SETTING} was refused`
    log.info({ node }, `${what}; set "${SETTING} Ee" on the server (or add E and e to its flags). The BFF does not change server config`)
  }

  const listen = (id: string, open: () => Redis): Node => {
    const seen: Node['seen'] = { config: null }
    const subscriber = createRedisSubscriber({
      connect: open,
      reconnectDelayMs,
      name: `evictions ${id}`,
      log,
      async subscribe(connection) {
        seen.config = await readServerConfig(connection)
        advise(seen.config, id)
        if (seen.config === 'disabled') return false
        // Our db only: a key of ours in another db belongs to another deployment. A Cluster has db 0 alone.
        const channel = `__keyevent@${connection.options.db ?? 0}__:evicted`
        connection.on('message', (from: string, key: string) => {
          // On a shared Redis most evictions may be other tenants'.
          if (from !== channel || !key.startsWith(keyspace.namespace)) return
          counters.add(keyspace.resourceOf(key) ?? 'other', 'evictions')
        })
        await connection.subscribe(channel)
        return true
      },
      onChange(state) {
        if (state === 'deaf') {
          log.debug({ node: id }, 'redis eviction events: subscription lost; evictions are not counted until it is back')
          // A lost node may have left the cluster, or a replica taken over its slots.
          reconcile()
        }
      },
    })
    return { subscriber, seen }
  }

  /** Listens on every node `options.nodes()` names now, and stops listening on the others. */
  function reconcile(): void {
    if (closed) return
    const current = options.nodes()
    for (const [id, node] of nodes) {
      if (current.has(id)) continue
      nodes.delete(id)
      void node.subscriber.close()
    }
    for (const [id, open] of current) {
      if (!nodes.has(id)) nodes.set(id, listen(id, open))
    }
  }

  reconcile()
  const unwatch = options.watchTopology?.(reconcile) ?? (() => undefined)

  return {
    get status() {
      const all = [...nodes.values()]
      if (all.some((node) => node.seen.config === 'disabled')) return 'disabled-on-server'
      if (all.length === 0 || all.some((node) => node.subscriber.state !== 'listening')) return 'connecting'
      return all.some((node) => node.seen.config === 'unknown') ? 'unknown' : 'subscribed'
    },
    async close() {
      closed = true
      unwatch()
      await Promise.all([...nodes.values()].map((node) => node.subscriber.close()))
      nodes.clear()
    },
  }
}
