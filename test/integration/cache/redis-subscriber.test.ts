import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createRedisSubscriber, type RedisSubscriber, type SubscriberState } from '../../../src/cache/redis-subscriber.js'
import { openSubscriberConnection } from '../../../src/plugins/redis.js'
import { redisServerPerSuite } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog } from '../../unit/cache/fixtures.js'
import { subscribers } from './evictions.js'

const CHANNEL = 'test:subscriber'

describe('createRedisSubscriber against a real redis-server', () => {
  const redis = redisServerPerSuite()

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
        return openSubscriberConnection(redis.client, attempt)
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
    await redis.server.kill()
    await waitFor(() => attempts() >= 4, { message: 'several failed reconnect attempts' })
    expect(subscriber.state).toBe('deaf')
    await redis.server.restart()
    await waitFor(() => subscriber.state === 'listening', { timeoutMs: 10_000, message: 'the subscription to come back' })
    expect(changes).toEqual(['starting→listening', 'listening→deaf', 'deaf→listening'])
    expect(await subscribers(redis.client, CHANNEL)).toBe(1)
  })

  it('stops, without reconnecting, when subscribe finds nothing to listen for', async () => {
    const { subscriber, changes, attempts } = start(async () => false)
    await waitFor(() => subscriber.state === 'stopped', { message: 'the subscriber to stop' })
    // Its connection is gone: the server lists only the test's own client.
    await waitFor(async () => String(await redis.client.client('LIST')).trim().split('\n').length === 1, { message: 'the connection to close' })
    expect({ changes, attempts: attempts() }).toEqual({ changes: [], attempts: 1 })
  })

  it('drops its connection on close() and stays closed', async () => {
    const { subscriber, attempts } = start()
    await waitFor(() => subscriber.state === 'listening', { message: 'the subscription' })
    await subscriber.close()
    expect(subscriber.state).toBe('stopped')
    await waitFor(async () => (await subscribers(redis.client, CHANNEL)) === 0, { message: 'the subscription to end' })
    expect(attempts()).toBe(1)
  })
})
