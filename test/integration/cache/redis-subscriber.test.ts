import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createRedisSubscriber, type RedisSubscriber, type SubscriberState } from '../../../src/cache/redis-subscriber.js'
import { openSubscriberConnection } from '../../../src/plugins/redis.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog } from '../../unit/cache/fixtures.js'
import { subscribers } from './evictions.js'

const CHANNEL = 'test:subscriber'

describe('createRedisSubscriber against a real redis-server', () => {
  let server: RedisServer
  let client: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    client.on('error', () => undefined)
  })
  afterAll(async () => {
    client?.disconnect()
    await server?.stop()
  })

  /** A subscriber to CHANNEL whose transitions and messages are recorded. */
  function start(subscribe: (connection: Redis) => Promise<boolean> = async (connection) => {
    await connection.subscribe(CHANNEL)
    return true
  }): { readonly subscriber: RedisSubscriber; readonly changes: string[]; readonly attempts: () => number } {
    const changes: string[] = []
    let attempts = 0
    const subscriber = createRedisSubscriber({
      connect: (attempt) => {
        attempts = attempt + 1
        return openSubscriberConnection(client, attempt)
      },
      subscribe,
      reconnectDelayMs: () => 20,
      onChange: (state, previous: SubscriberState) => void changes.push(`${previous}→${state}`),
      name: CHANNEL,
      log: captureLog().log,
    })
    onTestFinished(() => subscriber.close())
    return { subscriber, changes, attempts: () => attempts }
  }

  it('reports one loss per outage however many attempts fail, and listening again once resubscribed', async () => {
    const { subscriber, changes, attempts } = start()
    await waitFor(() => subscriber.state === 'listening', { message: 'the first subscription' })
    await server.kill()
    await waitFor(() => attempts() >= 4, { message: 'several failed reconnect attempts' })
    expect(subscriber.state).toBe('deaf')
    await server.restart()
    await waitFor(() => subscriber.state === 'listening', { timeoutMs: 10_000, message: 'the subscription to come back' })
    expect(changes).toEqual(['starting→listening', 'listening→deaf', 'deaf→listening'])
    expect(await subscribers(client, CHANNEL)).toBe(1)
  })

  it('stops, without reconnecting, when subscribe finds nothing to listen for', async () => {
    const { subscriber, changes, attempts } = start(async () => false)
    await waitFor(() => subscriber.state === 'stopped', { message: 'the subscriber to stop' })
    // Its connection is gone: the server lists only the test's own client.
    await waitFor(async () => String(await client.client('LIST')).trim().split('\n').length === 1, { message: 'the connection to close' })
    expect({ changes, attempts: attempts() }).toEqual({ changes: [], attempts: 1 })
  })

  it('drops its connection on close() and stays closed', async () => {
    const { subscriber, attempts } = start()
    await waitFor(() => subscriber.state === 'listening', { message: 'the subscription' })
    await subscriber.close()
    expect(subscriber.state).toBe('stopped')
    await waitFor(async () => (await subscribers(client, CHANNEL)) === 0, { message: 'the subscription to end' })
    expect(attempts()).toBe(1)
  })
})
