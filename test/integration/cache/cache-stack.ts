import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { request } from 'undici'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import type { EventLog } from '../../../src/events/event-log.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { startStack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'

export type Backend = 'memory' | 'redis' | 'redis-cluster'
export const BACKENDS: readonly Backend[] = ['memory', 'redis', 'redis-cluster']

/** The store a test stack caches in, with the Redis-side counters tests assert on. */
export interface Backing {
  readonly backend: Backend
  /** Env that points the BFF at it. */
  readonly env: Readonly<Record<string, string>>
  /** Sum over nodes of `INFO commandstats` calls of `command` (0 for memory). */
  commandCalls(command: string): Promise<number>
  /** CONFIG RESETSTAT on every node. */
  resetStats(): Promise<void>
  readonly server: RedisServer | null
  stop(): Promise<void>
}

/** Calls of `command` in one node's `INFO commandstats` reply. */
export function commandCallsIn(info: string, command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)
  return match === null ? 0 : Number(match[1])
}

export async function startBacking(backend: Backend): Promise<Backing> {
  if (backend === 'memory') {
    return { backend, env: {}, commandCalls: async () => 0, resetStats: async () => {}, server: null, stop: async () => {} }
  }
  let server: RedisServer | null = null
  let cluster: RedisCluster | null = null
  let clients: Redis[]
  if (backend === 'redis') {
    server = await startRedisServer()
    clients = [new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100 })]
  } else {
    cluster = await startRedisCluster()
    clients = cluster.ports.map((port) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100 }))
  }
  for (const client of clients) client.on('error', () => undefined)
  return {
    backend,
    env: server !== null ? { REDIS_URL: server.url } : { REDIS_CLUSTER_NODES: cluster?.nodes ?? '' },
    async commandCalls(command) {
      const infos = await Promise.all(clients.map((client) => client.info('commandstats')))
      return infos.reduce((sum, info) => sum + commandCallsIn(info, command), 0)
    },
    async resetStats() {
      await Promise.all(clients.map((client) => client.config('RESETSTAT')))
    },
    server,
    async stop() {
      for (const client of clients) client.disconnect()
      await server?.stop()
      await cluster?.stop()
    },
  }
}

export interface CacheStack {
  readonly bffUrl: string
  readonly app: FastifyInstance
  readonly mocks: RunningMocks
  /** The log the BFF tails; appending to it is what a service publishing an event does. */
  readonly eventLog: EventLog
  close(): Promise<void>
}

/**
 * The mocks and the BFF on ephemeral ports, with cache settings from `env`.
 * The BFF reads an in-process event log of its own (not the mocks'), so a test
 * decides which events it sees: mutations are proven to invalidate by
 * themselves, and event tests append the event the service would publish.
 */
export async function startCacheStack(
  env: Readonly<Record<string, string>>,
  options: { readonly logger?: Record<string, unknown> } = {},
): Promise<CacheStack> {
  const eventLog = createMemoryEventLog()
  try {
    const stack = await startStack({ env: { GRAPHIQL_ENABLED: 'false', ...env }, eventLog, ...(options.logger ? { logger: options.logger } : {}) })
    // With Redis the L1 is used only once subscribed to invalidations: start every test from the same state.
    await waitFor(async () => {
      const { l1 } = await cacheReadiness(stack)
      return !l1.enabled || l1.active
    }, { message: 'the L1 to subscribe to invalidations' }).catch(async (error: unknown) => {
      await stack.close()
      throw error
    })
    return {
      bffUrl: stack.bffUrl,
      app: stack.app,
      mocks: stack.mocks,
      eventLog,
      async close() {
        await stack.close()
        await eventLog.close()
      },
    }
  } catch (error) {
    await eventLog.close()
    throw error
  }
}

/** A BFF listening on an ephemeral port, and how to stop it. */
export interface PeerApp {
  readonly bffUrl: string
  readonly app: FastifyInstance
  close(): Promise<void>
}

/**
 * Another BFF instance over these mocks, configured from `env` as a second
 * replica behind a load balancer. `eventLog`: the log it tails; without one it
 * opens the log its config names (Redis Streams with REDIS_URL).
 */
export async function startPeerApp(mocks: Pick<RunningMocks, 'urls'>, env: Readonly<Record<string, string>>, eventLog?: EventLog): Promise<PeerApp> {
  const serviceUrls = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
  const config = loadConfig({
    AUTH_DISABLED: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    GRAPHIQL_ENABLED: 'false',
    // As startStack: generous limits, two shared cores.
    DOWNSTREAM_TIMEOUT_MS: '5000',
    RECOMMENDATIONS_TIMEOUT_MS: '5000',
    REQUEST_DEADLINE_MS: '10000',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '10000',
    RATE_LIMIT_ENABLED: 'false',
    ...serviceUrls,
    ...env,
  })
  const app = await buildApp(config, { logger: false, eventLog })
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address()
  return { bffUrl: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, app, close: () => app.close() }
}

/**
 * Another BFF instance over the same mocks and the same Redis, as a second
 * replica behind a load balancer. It tails an event log of its own, which no
 * test appends to: whatever it learns of another instance's invalidations
 * comes through the L1 broadcast.
 */
export async function startPeer(stack: CacheStack, env: Readonly<Record<string, string>>): Promise<CacheStack> {
  const eventLog = createMemoryEventLog()
  let started: PeerApp
  try {
    started = await startPeerApp(stack.mocks, env, eventLog)
  } catch (error) {
    await eventLog.close()
    throw error
  }
  const close = async (): Promise<void> => {
    await started.close()
    await eventLog.close()
  }
  const peer: CacheStack = { bffUrl: started.bffUrl, app: started.app, mocks: stack.mocks, eventLog, close }
  try {
    await waitFor(async () => {
      const { l1 } = await cacheReadiness(peer)
      return !l1.enabled || l1.active
    }, { message: 'the peer L1 to subscribe to invalidations' })
    return peer
  } catch (error) {
    await close()
    throw error
  }
}

/** The cache section of /health/ready. */
export interface CacheReadiness {
  readonly status: number
  readonly overall: string
  readonly degraded: boolean
  readonly breaker?: string
  readonly l1: { readonly enabled: boolean; readonly active: boolean; readonly entries: number; readonly received: number }
  /** Kept answers (response-cache.ts); the counters only while enabled. */
  readonly responses: { readonly enabled: boolean; readonly active?: boolean; readonly entries?: number; readonly hits?: number; readonly kept?: number; readonly dropped?: number }
  readonly resources: Readonly<Record<string, Readonly<Record<string, number | string | boolean>>>>
}

export async function cacheReadiness(stack: Pick<CacheStack, 'bffUrl'>): Promise<CacheReadiness> {
  const response = await request(`${stack.bffUrl}/health/ready`)
  const body = (await response.body.json()) as { status: string; cache: Omit<CacheReadiness, 'status' | 'overall'> }
  return { status: response.statusCode, overall: body.status, ...body.cache }
}

/** One counter of one resource from readiness (0 when not yet counted). */
export async function counter(stack: Pick<CacheStack, 'bffUrl'>, resource: string, name: string): Promise<number> {
  const value = (await cacheReadiness(stack)).resources[resource]?.[name]
  return typeof value === 'number' ? value : 0
}

/** Changes a product's stock through the inventory service's own route, as any client would. */
export async function putStock(mocks: Pick<RunningMocks, 'urls'>, productId: string, stock: number): Promise<void> {
  const answer = await request(`${mocks.urls.inventory}/inventory/${encodeURIComponent(productId)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stock }),
  })
  await answer.body.dump()
}

/** Requests a mock route has served since the last reset. */
export async function routeCalls(url: string, route: string): Promise<number> {
  const response = await request(`${url}/__admin/stats`)
  const body = (await response.body.json()) as { byRoute: Record<string, number> }
  return body.byRoute[route] ?? 0
}
