import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import type { LoggedEvent } from '../../../src/events/event-log.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { waitFor } from '../../helpers/wait-for.js'
import { subscribe, type SubscriptionProbe } from '../../helpers/ws-client.js'
import { captureLogs, startBff, startTestMocks, wsClientFor, type BffInstance } from './harness.js'

const ORDER_IDS = 'subscription ($userId: ID!, $after: String) { orderStatusChanged(userId: $userId, after: $after) { eventId } }'
const statusOf = (userId: string): DomainEvent => ({ type: 'order.status_changed', orderId: '1', userId, status: 'PAID' })

async function eventIds(probe: SubscriptionProbe, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += 1) {
    const result = await probe.next(10_000)
    expect(result.errors).toBeUndefined()
    ids.push((result.data?.['orderStatusChanged'] as { eventId: string }).eventId)
  }
  return ids
}

/** Appends once Redis takes writes again (the mocks' connection may still be reconnecting). */
function appendWhenUp(mocks: RunningMocks, event: DomainEvent): Promise<LoggedEvent> {
  return waitFor(() => mocks.eventLog.append(event), { timeoutMs: 10_000, intervalMs: 50, message: 'an append after the Redis restart' })
}

async function subscribed(bff: BffInstance, count: number): Promise<void> {
  await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(count)
}

describe('Redis Streams event log across BFF instances', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(() => redis.stop())

  it('two instances: clients on each receive each event exactly once', async () => {
    const streamKey = `test:${randomUUID()}`
    const mocks = await startTestMocks({ redisUrl: redis.url, streamKey })
    const a = await startBff(mocks, { redisUrl: redis.url, streamKey })
    const b = await startBff(mocks, { redisUrl: redis.url, streamKey })
    const probes = [a, a, b, b].map((bff) => subscribe(wsClientFor(bff), ORDER_IDS, { userId: '3' }))
    await subscribed(a, 2)
    await subscribed(b, 2)

    const published: string[] = []
    for (let i = 0; i < 20; i += 1) {
      published.push((await mocks.eventLog.append(statusOf('3'))).id)
      await mocks.eventLog.append(statusOf('9'))
    }
    for (const probe of probes) {
      expect(await eventIds(probe, published.length)).toEqual(published)
    }
    for (const probe of probes) expect(await probe.nothingWithin(100)).toBe(true)
  })

  it('resumes on another instance from the eventId seen on the first', async () => {
    const streamKey = `test:${randomUUID()}`
    const mocks = await startTestMocks({ redisUrl: redis.url, streamKey })
    const a = await startBff(mocks, { redisUrl: redis.url, streamKey })
    const b = await startBff(mocks, { redisUrl: redis.url, streamKey })
    const onA = wsClientFor(a)
    const first = subscribe(onA, ORDER_IDS, { userId: '3' })
    await subscribed(a, 1)
    const seen = await mocks.eventLog.append(statusOf('3'))
    expect(await eventIds(first, 1)).toEqual([seen.id])
    onA.dispose()

    const missed = [(await mocks.eventLog.append(statusOf('3'))).id, (await mocks.eventLog.append(statusOf('3'))).id]
    const resumed = subscribe(wsClientFor(b), ORDER_IDS, { userId: '3', after: seen.id })
    expect(await eventIds(resumed, 2)).toEqual(missed)
    const live = await mocks.eventLog.append(statusOf('3'))
    expect(await eventIds(resumed, 1)).toEqual([live.id])
  })
})

describe('Redis restarted under connected subscribers', () => {
  async function restartScenario(persistent: boolean) {
    const server = await startRedisServer({ persistent })
    onTestFinished(() => server.stop())
    const logs = captureLogs()
    const mocks = await startTestMocks({ redisUrl: server.url })
    const bff = await startBff(mocks, { redisUrl: server.url, logger: logs.logger })
    const probe = subscribe(wsClientFor(bff), ORDER_IDS, { userId: '3' })
    await subscribed(bff, 1)
    const before = [(await mocks.eventLog.append(statusOf('3'))).id, (await mocks.eventLog.append(statusOf('3'))).id]
    expect(await eventIds(probe, 2)).toEqual(before)

    await server.kill()
    await server.restart()
    const after = [(await appendWhenUp(mocks, statusOf('3'))).id, (await appendWhenUp(mocks, statusOf('3'))).id]
    return { bff, mocks, probe, logs: logs.lines, before, after }
  }

  const startedAnew = (lines: Array<Record<string, unknown>>) => lines.filter((line) => String(line['msg']).includes('event log started anew'))

  it('with persistence (appendonly): delivery goes on from the position reached, nothing lost, nothing repeated', async () => {
    const { probe, logs, after } = await restartScenario(true)
    expect(await eventIds(probe, 2)).toEqual(after)
    expect(await probe.nothingWithin(200)).toBe(true)
    expect(startedAnew(logs)).toEqual([])
  })

  it('without persistence: the instance says once that the log started anew and carries on with new events', async () => {
    const { bff, mocks, probe, logs, before, after } = await restartScenario(false)
    expect(await eventIds(probe, 2)).toEqual(after)
    expect(await probe.nothingWithin(200)).toBe(true)
    const notices = startedAnew(logs)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ level: 40, component: 'event-log', position: before[1] })
    // Still serving: a new subscriber gets the next event too.
    const late = subscribe(wsClientFor(bff), ORDER_IDS, { userId: '3' })
    await subscribed(bff, 2)
    const next = await mocks.eventLog.append(statusOf('3'))
    expect(await eventIds(late, 1)).toEqual([next.id])
    expect(await eventIds(probe, 1)).toEqual([next.id])
  })
})
