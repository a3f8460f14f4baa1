import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { connectRaw, subscribe } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor } from './harness.js'

const BUFFER_EVENTS = 20

/** ~200 KB per event (10 items × 200 aliased descriptions), so a peer that stops reading fills the TCP buffers fast. */
const HEAVY = `subscription { orderStatusChanged(userId: "3") { eventId order { items { product { ${Array.from(
  { length: 200 },
  (_, i) => `d${i}: description`,
).join(' ')} } } } } }`
const LIGHT = 'subscription { orderStatusChanged(userId: "3") { eventId order { status } } }'

describe('slow consumer', () => {
  it('closes a subscriber that stops reading with 4413 while another keeps receiving on time', async () => {
    const mocks = await startTestMocks()
    // HEAVY's 200 aliases are over the default alias limit, which is not what this test is about.
    const bff = await startBff(mocks, { env: { SUBSCRIPTION_BUFFER_EVENTS: String(BUFFER_EVENTS), GRAPHQL_MAX_ALIASES: '200' } })
    const response = await request(`${mocks.urls.orders}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: '3', items: Array.from({ length: 10 }, (_, i) => ({ productId: String(i + 1), quantity: 1 })) }),
    })
    const order = (await response.body.json()) as { id: string }

    const slow = await connectRaw(bff.wsUrl)
    slow.send({ type: 'connection_init' })
    await slow.waitForMessage()
    slow.send({ type: 'subscribe', id: 'heavy', payload: { query: HEAVY } })
    const fast = subscribe(wsClientFor(bff), LIGHT)
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(2)
    // From here the slow peer reads nothing: the kernel buffers fill, then our queue does.
    slow.ws.pause()

    const latencies: number[] = []
    let published = 0
    while (bff.app.subscriptions.stats().slowConsumerCloses === 0 && published < 2_000) {
      const sentAt = performance.now()
      const logged = await mocks.eventLog.append({ type: 'order.status_changed', orderId: order.id, userId: '3', status: 'PAID' })
      published += 1
      const received = await fast.next(2_000)
      latencies.push(performance.now() - sentAt)
      expect((received.data?.['orderStatusChanged'] as { eventId: string }).eventId).toBe(logged.id)
    }

    const stats = bff.app.subscriptions.stats()
    expect(stats.slowConsumerCloses).toBe(1)
    expect(stats.eventsDropped).toBeGreaterThan(BUFFER_EVENTS)
    // The fast subscriber never waited on the slow one.
    expect(Math.max(...latencies)).toBeLessThan(1_000)

    slow.ws.resume()
    const close = await slow.waitForClose(10_000)
    expect(close.code).toBe(4413)
    expect(close.reason).toMatch(/Slow consumer.*orderStatusChanged.*after/)

    // The fast one is still subscribed and live.
    const after = await mocks.eventLog.append({ type: 'order.status_changed', orderId: order.id, userId: '3', status: 'SHIPPED' })
    expect(((await fast.next()).data?.['orderStatusChanged'] as { eventId: string }).eventId).toBe(after.id)
    const ready = await request(`${bff.httpUrl}/health/ready`)
    const body = (await ready.body.json()) as { subscriptions: { slowConsumerCloses: number; eventsDropped: number } }
    expect(body.subscriptions).toMatchObject({ slowConsumerCloses: 1, eventsDropped: stats.eventsDropped })
  })
})
