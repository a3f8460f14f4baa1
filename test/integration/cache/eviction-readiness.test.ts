import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { createKeyspace } from '../../../src/cache/keys.js'
import { loadConfig } from '../../../src/config/load-config.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { startRedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { EVICTING, fill, type KeyMaker } from './evictions.js'

interface CacheSection {
  readonly evictionEvents: string
  readonly resources: Readonly<Record<string, { readonly evictions?: number }>>
}

/** The BFF (no downstream is called) over `env`, closed when the test ends. */
async function app(env: Readonly<Record<string, string>>): Promise<FastifyInstance> {
  const eventLog = createMemoryEventLog()
  const instance = await buildApp(loadConfig({ AUTH_DISABLED: 'true', LOG_LEVEL: 'silent', GRAPHIQL_ENABLED: 'false', CACHE_KEY_PREFIX: 'ready:', ...env }), { logger: false, eventLog })
  onTestFinished(async () => {
    await instance.close()
    await eventLog.close()
  })
  await instance.ready()
  return instance
}

async function cacheSection(instance: FastifyInstance): Promise<CacheSection> {
  const response = await instance.inject({ method: 'GET', url: '/health/ready' })
  return (response.json() as { cache: CacheSection }).cache
}

/** A Redis server that evicts, with `args`, and a plain client to fill it; both stopped when the test ends. */
async function redis(args: readonly string[]): Promise<{ readonly url: string; readonly client: Redis }> {
  const server = await startRedisServer({ args: [...args, ...EVICTING] })
  const client = new Redis(server.url)
  onTestFinished(async () => {
    client.disconnect()
    await server.stop()
  })
  return { url: server.url, client }
}

// Entries as the BFF would have written them (same keyspace): only the memory pressure matters here.
const keyspace = createKeyspace({ prefix: 'ready:', version: 1 })
const product: KeyMaker = (i) => keyspace.entity('catalog', 'product', String(i))
const user: KeyMaker = (i) => keyspace.entity('users', 'user', String(i))

describe('/health/ready cache.evictionEvents and Redis evictions per resource', () => {
  it('over a Redis publishing evictions (Ee): subscribed, and each resource counts its evicted entries', async () => {
    const { url, client } = await redis(['--notify-keyspace-events', 'Ee'])
    const bff = await app({ REDIS_URL: url })
    await waitFor(async () => (await cacheSection(bff)).evictionEvents === 'subscribed', { message: 'evictionEvents: subscribed' })
    await fill(client, [product, user], 2_000)
    const section = await waitFor(
      async () => {
        const cache = await cacheSection(bff)
        return (cache.resources['catalog:product']?.evictions ?? 0) > 0 && (cache.resources['users:user']?.evictions ?? 0) > 0 ? cache : null
      },
      { message: 'evictions of both resources in readiness' },
    )
    expect(section.evictionEvents).toBe('subscribed')
  })

  it('over a Redis without eviction events: disabled-on-server, the server config left as it was', async () => {
    const { url, client } = await redis([])
    const bff = await app({ REDIS_URL: url })
    await waitFor(async () => (await cacheSection(bff)).evictionEvents === 'disabled-on-server', { message: 'evictionEvents: disabled-on-server' })
    expect(await client.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', ''])
  })

  it('with the in-process store: n/a (it counts its own evictions)', async () => {
    expect((await cacheSection(await app({}))).evictionEvents).toBe('n/a')
  })
})
