import { afterEach, describe, expect, it } from 'vitest'
import { createTokenSource } from '../../../mocks/auth/token-client.js'
import { startEventGenerator, type EventGenerator } from '../../../mocks/event-generator.js'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import type { DomainEventType } from '../../../src/events/domain-events.js'
import { waitFor } from '../../helpers/wait-for.js'
import { post, startTestMocks } from './mock-client.js'

describe('startEventGenerator', () => {
  const leftovers: Array<{ stop(): Promise<void> } | RunningMocks> = []
  afterEach(async () => {
    for (const item of leftovers.splice(0).reverse()) await ('stop' in item ? item.stop() : item.close())
  })

  async function start(): Promise<{ mocks: RunningMocks; generator: EventGenerator; errors: unknown[] }> {
    const mocks = await startTestMocks()
    leftovers.push(mocks)
    const errors: unknown[] = []
    const generator = startEventGenerator({ urls: mocks.urls, intervalMs: 10, onError: (error) => errors.push(error) })
    leftovers.push(generator)
    return { mocks, generator, errors }
  }

  it('trickles every kind of change through the services into the event log', async () => {
    const { mocks, generator, errors } = await start()
    const types = new Set<DomainEventType>()
    await waitFor(
      async () => {
        for (const { event } of await mocks.eventLog.read('0-0', { limit: 10_000 })) types.add(event.type)
        return types.has('inventory.changed') && types.has('notification.created') && (types.has('order.status_changed') || types.has('order.created'))
      },
      { timeoutMs: 15_000, message: 'inventory, notification and order events' },
    )
    await generator.stop()
    expect(errors).toEqual([])
    expect(generator.ticks).toBeGreaterThan(0)
    for (const { event } of await mocks.eventLog.read('0-0', { limit: 10_000 })) {
      if ('userId' in event) expect(Number(event.userId)).toBeLessThanOrEqual(20)
    }
  })

  it('acts through services that require identity when given an admin token source', async () => {
    const mocks = await startTestMocks({ requireIdentity: true })
    leftovers.push(mocks)
    const errors: unknown[] = []
    const generator = startEventGenerator({
      urls: mocks.urls,
      intervalMs: 10,
      onError: (error) => errors.push(error),
      bearerToken: createTokenSource(mocks.auth.url, { sub: 'event-generator', scope: 'admin' }),
    })
    leftovers.push(generator)
    await waitFor(() => generator.ticks >= 6, { timeoutMs: 10_000, message: 'six ticks' })
    await generator.stop()
    expect(errors).toEqual([])
    expect((await mocks.eventLog.read('0-0')).length).toBeGreaterThanOrEqual(5)
    // One token serves every call until it nears expiry.
    expect((await mocks.auth.service.inject('/__admin/stats')).json<{ byRoute: Record<string, number> }>().byRoute).toEqual({ 'POST /token': 1 })
  })

  it('stop() aborts a hung request instead of waiting out its 5 s deadline', async () => {
    const { mocks, generator } = await start()
    const names = ['orders', 'inventory', 'notifications'] as const
    await Promise.all(names.map((name) => post(`${mocks.urls[name]}/__admin/faults`, { hangRate: 1 })))
    await waitFor(
      async () => {
        const inFlight = await Promise.all(names.map(async (name) => (await mocks.services[name].inject('/__admin/stats')).json<{ inFlight: number }>().inFlight))
        return inFlight.some((n) => n > 0)
      },
      { timeoutMs: 10_000, message: 'a hung generator request' },
    )
    const started = performance.now()
    await generator.stop()
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('rejects a too-short interval', () => {
    expect(() => startEventGenerator({ urls: { orders: '', inventory: '', notifications: '' }, intervalMs: 1 })).toThrow(/intervalMs/)
  })
})
