import { describe, expect, it, onTestFinished } from 'vitest'
import { createInvalidationBus, type Invalidation, type InvalidationBus } from '../../../src/cache/invalidation-bus.js'
import { openSubscriberConnection } from '../../../src/plugins/redis.js'
import { redisServerPerSuite } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLog } from '../../unit/cache/fixtures.js'

const CHANNEL = 'bus:l1:invalidate'

describe('createInvalidationBus against a real redis-server', () => {
  const redis = redisServerPerSuite()

  function bus(): { readonly bus: InvalidationBus; readonly heard: Invalidation[]; readonly listening: boolean[]; readonly lines: Record<string, unknown>[] } {
    const heard: Invalidation[] = []
    const listening: boolean[] = []
    const { log, lines } = captureLog()
    const created = createInvalidationBus({
      channel: CHANNEL,
      send: (channel, payload) => redis.client.publish(channel, payload),
      connect: (attempt) => openSubscriberConnection(redis.client, attempt),
      reconnectDelayMs: () => 20,
      onInvalidation: (invalidation) => void heard.push(invalidation),
      onListening: (value) => void listening.push(value),
      log,
    })
    onTestFinished(() => created.close())
    return { bus: created, heard, listening, lines }
  }

  it('delivers an invalidation to the other instance only, and tells each loss and resumption once', async () => {
    const a = bus()
    const b = bus()
    await waitFor(() => a.bus.listening && b.bus.listening, { message: 'both buses subscribed' })
    await a.bus.publish({ keys: ['k1'] })
    await waitFor(() => b.heard.length === 1, { message: 'B to hear A' })
    await b.bus.publish({ all: true })
    // A reads its own message before B's (one connection, in order): by now it has ignored it.
    await waitFor(() => a.heard.length === 1, { message: 'A to hear B' })
    expect({ a: a.heard, b: b.heard, received: [a.bus.received, b.bus.received] }).toEqual({ a: [{ all: true }], b: [{ keys: ['k1'] }], received: [1, 1] })

    await redis.server.kill()
    await waitFor(() => !b.bus.listening, { message: 'B to notice the loss' })
    await redis.server.restart()
    await waitFor(() => b.bus.listening, { timeoutMs: 10_000, message: 'B to subscribe again' })
    const messages = b.lines.map((line) => String(line['msg'])).filter((msg) => msg.startsWith('l1 cache'))
    expect({ listening: b.listening, messages: messages.map((msg) => msg.split(':')[0]) }).toEqual({
      listening: [true, false, true],
      messages: ['l1 cache bypassed', 'l1 cache resumed'],
    })
  })
})
