import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { ClientError } from '../../../src/errors.js'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import type { LoggedEvent } from '../../../src/events/event-log.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { SubscriberOverflowError } from '../../../src/subscriptions/subscriber-overflow-error.js'
import { createEventHub } from '../../../src/subscriptions/event-hub.js'
import { orderKey, stockKey } from '../../../src/subscriptions/event-routing.js'
import { openEventStream, type EventStreamOptions } from '../../../src/subscriptions/event-stream.js'

const order = (userId: string): DomainEvent => ({ type: 'order.status_changed', orderId: '1', userId, status: 'PAID' })

/** A log and a hub whose "tail" the test drives by hand, so it can lag behind the log on purpose. */
function setup() {
  const log = createMemoryEventLog()
  const tail = new Subject<LoggedEvent>()
  const hub = createEventHub(tail)
  const open = (options: Partial<EventStreamOptions> = {}) =>
    openEventStream({
      log,
      hub,
      keys: new Set([orderKey('3')]),
      after: null,
      policy: { kind: 'buffer', capacity: 100 },
      onOverflow: () => undefined,
      ...options,
    })
  return { log, tail, hub, open }
}

async function take(iterator: AsyncIterator<LoggedEvent>, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += 1) {
    const result = await iterator.next()
    if (result.done === true) throw new Error('stream ended early')
    ids.push(result.value.id)
  }
  return ids
}

describe('openEventStream: replay, then live, no gap and no duplicate', () => {
  it('without after: only live events for its keys', async () => {
    const { log, tail, open } = setup()
    await log.append(order('3'))
    const stream = await open()
    const mine = await log.append(order('3'))
    tail.next(await log.append(order('4')))
    tail.next(mine)
    expect(await take(stream, 1)).toEqual([mine.id])
  })

  it('an event both replayed and dispatched live (the tail lags the log) is delivered once', async () => {
    const { log, tail, open } = setup()
    const seen = await log.append(order('3'))
    const missed = [await log.append(order('3')), await log.append(order('3'))]
    const stream = await open({ after: seen.id })
    // The tail only now dispatches events already in the log, and then a new one.
    for (const event of missed) tail.next(event)
    const fresh = await log.append(order('3'))
    tail.next(fresh)
    expect(await take(stream, 3)).toEqual([...missed, fresh].map((event) => event.id))
    const extra = await log.append(order('3'))
    tail.next(extra)
    expect(await take(stream, 1)).toEqual([extra.id])
  })

  it('stops replaying once it reaches the first live event, reading pages as it is pulled', async () => {
    const { log, tail, open } = setup()
    const start = await log.append(order('3'))
    const replayed: LoggedEvent[] = []
    for (let i = 0; i < 25; i += 1) replayed.push(await log.append(order(i % 2 === 0 ? '3' : '9')))
    const stream = await open({ after: start.id, pageSize: 4 })
    const live = await log.append(order('3'))
    tail.next(live)
    const expected = [...replayed.filter((event) => event.event.type === 'order.status_changed' && event.event.userId === '3'), live]
    expect(await take(stream, expected.length)).toEqual(expected.map((event) => event.id))
  })

  it('rejects a malformed after with BAD_USER_INPUT and an expired one with EVENTS_EXPIRED', async () => {
    const log = createMemoryEventLog({ maxLen: 2 })
    const hub = createEventHub(new Subject<LoggedEvent>())
    const first = await log.append(order('3'))
    await log.append(order('3'))
    await log.append(order('3'))
    const open = (after: string) =>
      openEventStream({ log, hub, keys: new Set(['x']), after, policy: { kind: 'buffer', capacity: 1 }, onOverflow: () => undefined })
    await expect(open('not-an-id')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
    const expired = await open(first.id).catch((error: unknown) => error)
    expect(expired).toBeInstanceOf(ClientError)
    expect(expired).toMatchObject({ code: 'EVENTS_EXPIRED', details: { argument: 'after' } })
    expect(hub.watchers).toBe(0)
  })

  it('an overflowing live queue ends the stream and reports the overflow', async () => {
    const { log, tail, open } = setup()
    const overflows: unknown[] = []
    const stream = await open({ policy: { kind: 'buffer', capacity: 2 }, onOverflow: (error) => overflows.push(error) })
    for (let i = 0; i < 3; i += 1) tail.next(await log.append(order('3')))
    expect(overflows).toEqual([new SubscriberOverflowError(2, 3)])
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('return() stops watching the hub, even while a pull is pending', async () => {
    const { hub, open } = setup()
    const stream = await open()
    expect(hub.watchers).toBe(1)
    const pending = stream.next()
    await stream.return?.()
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(hub.watchers).toBe(0)
  })
})

describe('createEventHub', () => {
  it('routes by key, once per subscriber however many of its keys match; close stops the intake', async () => {
    const tail = new Subject<LoggedEvent>()
    const hub = createEventHub(tail)
    const got: string[] = []
    hub.watch([stockKey('1'), stockKey('1'), stockKey('2')]).subscribe((event) => got.push(event.id))
    const stock = (id: string, productId: string): LoggedEvent => ({
      id,
      occurredAt: '',
      event: { type: 'inventory.changed', productId, stock: 1, priceAmount: 1 },
    })
    tail.next(stock('1-0', '1'))
    tail.next(stock('2-0', '3'))
    tail.next(stock('3-0', '2'))
    tail.next({ id: '4-0', occurredAt: '', event: { type: 'review.liked', reviewId: '1', productId: '1', likes: 1 } })
    expect(got).toEqual(['1-0', '3-0'])
    hub.close()
    expect(tail.observed).toBe(false)
    let completed = false
    hub.watch([stockKey('1')]).subscribe({ complete: () => (completed = true) })
    expect(completed).toBe(true)
  })
})
