import { describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { subscribe, type SubscriptionProbe } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor } from './harness.js'

const ORDER_IDS = /* GraphQL */ `
  subscription ($userId: ID!, $after: String) {
    orderStatusChanged(userId: $userId, after: $after) { eventId }
  }
`
const statusOf = (userId: string): DomainEvent => ({ type: 'order.status_changed', orderId: '1', userId, status: 'PAID' })

async function eventIds(probe: SubscriptionProbe, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += 1) {
    const result = await probe.next()
    expect(result.errors).toBeUndefined()
    ids.push((result.data?.['orderStatusChanged'] as { eventId: string }).eventId)
  }
  return ids
}

describe('resume with after', () => {
  it('replays the missed events in order, then live ones, with no duplicate at the seam', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const first = wsClientFor(bff)
    const live = subscribe(first, ORDER_IDS, { userId: '3' })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(1)
    const seen = await mocks.eventLog.append(statusOf('3'))
    expect(await eventIds(live, 1)).toEqual([seen.id])
    first.dispose()
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(0)

    const missed: string[] = []
    for (let i = 0; i < 5; i += 1) {
      missed.push((await mocks.eventLog.append(statusOf('3'))).id)
      await mocks.eventLog.append(statusOf('4'))
    }
    const resumed = subscribe(wsClientFor(bff), ORDER_IDS, { userId: '3', after: seen.id })
    expect(await eventIds(resumed, 5)).toEqual(missed)
    const next = await mocks.eventLog.append(statusOf('3'))
    expect(await eventIds(resumed, 1)).toEqual([next.id])
    expect(await resumed.nothingWithin(100)).toBe(true)
  })

  it('loses and repeats nothing when events keep arriving while the replay runs', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const before = await mocks.eventLog.append(statusOf('3'))
    const expected: string[] = []
    for (let i = 0; i < 300; i += 1) expected.push((await mocks.eventLog.append(statusOf('3'))).id)

    const resumed = subscribe(wsClientFor(bff), ORDER_IDS, { userId: '3', after: before.id })
    // Appends race the replay (300 events = 2 pages of reads, pulled one at a time).
    for (let i = 0; i < 300; i += 1) {
      expected.push((await mocks.eventLog.append(statusOf('3'))).id)
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    const received = await eventIds(resumed, expected.length)
    expect(received).toEqual(expected)
    expect(await resumed.nothingWithin(100)).toBe(true)
  })

  it('after: "0-0" replays everything retained', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const a = await mocks.eventLog.append(statusOf('8'))
    const b = await mocks.eventLog.append(statusOf('8'))
    const probe = subscribe(wsClientFor(bff), ORDER_IDS, { userId: '8', after: '0-0' })
    expect(await eventIds(probe, 2)).toEqual([a.id, b.id])
  })

  it('an after older than retention gets EVENTS_EXPIRED; a malformed one BAD_USER_INPUT', async () => {
    const mocks = await startTestMocks({ eventLog: createMemoryEventLog({ maxLen: 3 }) })
    const bff = await startBff(mocks)
    const oldest = await mocks.eventLog.append(statusOf('3'))
    for (let i = 0; i < 5; i += 1) await mocks.eventLog.append(statusOf('3'))
    const client = wsClientFor(bff)

    const expired = await subscribe(client, ORDER_IDS, { userId: '3', after: oldest.id }).next()
    expect(expired.data).toBeUndefined()
    expect(expired.errors?.[0]?.extensions).toMatchObject({ code: 'EVENTS_EXPIRED', argument: 'after' })

    const malformed = await subscribe(client, ORDER_IDS, { userId: '3', after: 'yesterday' }).next()
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' })
  })
})
