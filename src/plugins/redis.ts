import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Cluster, Redis } from 'ioredis'
import type { Config } from '../config/load-config.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The cache's Redis client (standalone or Cluster); null when none is configured. */
    redis: Redis | Cluster | null
  }
}

export interface RedisPluginOptions {
  readonly config: Config
}

/** Pause before reconnect attempt `attempt` (1, 2, …): 50 ms doubling, capped at `capMs` (CACHE_REDIS_RECONNECT_MAX_MS). */
export function reconnectDelayMs(attempt: number, capMs: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), capMs)
}

/**
 * One ioredis client for the cache, configured so that Redis trouble can
 * never hold a query up. ioredis defaults do the opposite: an unbounded
 * offline queue and 20 retries per command (a GET against a killed Redis was
 * still waiting after 20 s; against a frozen one it hung). Here:
 * - `enableOfflineQueue: false`: while disconnected, commands fail at once;
 * - `commandTimeout` (backstop) plus the cache guard's per-call limit: a
 *   frozen server costs a query at most CACHE_REDIS_TIMEOUT_MS;
 * - `maxRetriesPerRequest: 1`, and reconnects with capped exponential backoff;
 * - `enableAutoPipelining`: commands of one tick share one write (measured
 *   +48–86 % GET throughput). Each batch is an ioredis `Pipeline`, patched at
 *   install (patches/ioredis+5.11.1.patch) so pipelines share a hidden class.
 * The app boots whether or not Redis answers; the cache bypasses it until it does.
 */
async function redisPlugin(app: FastifyInstance, options: RedisPluginOptions): Promise<void> {
  const url = options.config.redis.url
  const settings = options.config.cache
  if (url === null && settings.clusterNodes === null) {
    app.decorate<Redis | Cluster | null>('redis', null)
    return
  }
  const reconnectDelay = (attempt: number): number => reconnectDelayMs(attempt, settings.redisReconnectMaxMs)
  const perConnection = {
    enableOfflineQueue: false,
    // The per-call limit (CACHE_REDIS_TIMEOUT_MS) is enforced by the cache guard, lag-tolerantly
    // (cache/guarded-store.ts). A client-side timer that equal would fire, under event-loop lag,
    // before a reply already in the socket is read: the bench saw that open the breaker and switch
    // the cache off exactly when the BFF was busiest. This one is the backstop for a frozen server.
    commandTimeout: Math.max(10 * settings.redisTimeoutMs, 1_000),
    maxRetriesPerRequest: 1,
    connectTimeout: settings.redisConnectTimeoutMs,
  }
  const client =
    settings.clusterNodes === null
      ? new Redis(url ?? '', { ...perConnection, enableAutoPipelining: true, lazyConnect: true, retryStrategy: reconnectDelay })
      : new Cluster(
          settings.clusterNodes.map((node) => ({ host: node.host, port: node.port })),
          {
            enableAutoPipelining: true,
            enableOfflineQueue: false,
            lazyConnect: true,
            clusterRetryStrategy: reconnectDelay,
            slotsRefreshTimeout: settings.redisConnectTimeoutMs,
            // Redirections and cluster-down retries wait between tries; keep them short (the guard caps the total anyway).
            retryDelayOnFailover: 20,
            retryDelayOnClusterDown: 20,
            redisOptions: perConnection,
          },
        )

  // ioredis emits 'error' on every failed (re)connect; an 'error' event without a
  // listener would crash the process. The cache breaker logs the outage once.
  const log = app.log.child({ component: 'redis' })
  let failing = false
  const onError = (err: unknown): void => {
    if (failing) return
    failing = true
    log.debug({ err }, 'redis connection error; reconnecting')
  }
  client.on('error', onError)
  if (client instanceof Cluster) client.on('node error', onError)
  client.on('ready', () => {
    failing = false
  })

  app.decorate<Redis | Cluster | null>('redis', client)
  app.addHook('onClose', async () => {
    // quit() needs a live connection (no offline queue); when there is none, just drop the socket.
    await client.quit().catch(() => client.disconnect())
  })

  // Wait for the first connection at most connectTimeout: a BFF must boot while Redis is down.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, settings.redisConnectTimeoutMs)
    client.connect().then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      (err: unknown) => {
        clearTimeout(timer)
        log.warn({ err }, 'redis not reachable at start-up; the cache is bypassed until it is')
        resolve()
      },
    )
  })
}

/** A subscribed connection can run nothing else, and must show the caller every loss: see openSubscriberConnection. */
const SUBSCRIBER_OVERRIDES = { lazyConnect: true, retryStrategy: () => null, autoResubscribe: false, enableAutoPipelining: false }

/**
 * Opens (lazily) a dedicated connection for subscriber mode on the cache's
 * Redis, with the client's own settings: a subscribed connection can run no
 * other command, so it cannot be the shared client. It never reconnects by
 * itself (the caller sees every loss, and knows it may have missed messages
 * meanwhile) and does not resubscribe behind the caller's back. On a Cluster,
 * PUBLISH reaches every node, so any node will do: `attempt` walks the known
 * nodes, and a lost node is replaced by the next one. null: no node known yet.
 */
export function openSubscriberConnection(client: Redis | Cluster, attempt: number): Redis | null {
  if (!(client instanceof Cluster)) return client.duplicate(SUBSCRIBER_OVERRIDES)
  const nodes = client.nodes('all')
  const node = nodes[attempt % Math.max(nodes.length, 1)]
  return node === undefined ? null : node.duplicate(SUBSCRIBER_OVERRIDES)
}

/**
 * Openers of a subscriber connection (settings as `openSubscriberConnection`)
 * to each node whose own events matter, by `host:port`: the server itself, or
 * every master of a Cluster, as ioredis last saw them. Unlike PUBLISH,
 * keyspace notifications stay on the node that holds the key. Empty while no
 * master is known.
 */
export function subscriberNodes(client: Redis | Cluster): ReadonlyMap<string, () => Redis> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client]
  return new Map(nodes.map((node) => [`${node.options.host ?? ''}:${String(node.options.port ?? '')}`, () => node.duplicate(SUBSCRIBER_OVERRIDES)]))
}

/**
 * Calls `listener` whenever a Cluster's view of its nodes may have changed (slots
 * refreshed, a node dropped); returns the unsubscribe. A standalone server never changes.
 */
export function watchTopology(client: Redis | Cluster, listener: () => void): () => void {
  if (!(client instanceof Cluster)) return () => undefined
  client.on('refresh', listener)
  client.on('-node', listener)
  return () => {
    client.off('refresh', listener)
    client.off('-node', listener)
  }
}

export default fp(redisPlugin, { name: 'redis' })
