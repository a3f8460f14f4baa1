import { firstValueFrom, take, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import pino from 'pino'
import type { EventLog } from '../../../src/events/event-log.js'
import { tailEvents } from '../../../src/events/event-tail.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { waitFor } from '../../helpers/wait-for.js'

const silent = pino({ level: 'silent' })
const created = (orderId: string) => ({ type: 'order.created', orderId, userId: '1', status: 'PLACED' }) as const

describe('tailEvents', () => {
  it('delivers only events appended after it starts, in order', async () => {
    const log = createMemoryEventLog()
    await log.append(created('old'))
    const received = firstValueFrom(tailEvents(log, { log: silent, blockMs: 50 }).pipe(take(2), toArray()))
    // Appends race the tail's first read of lastId(); wait until it has one before appending.
    await new Promise((resolve) => setImmediate(resolve))
    await log.append(created('a'))
    await log.append(created('b'))
    expect((await received).map((e) => (e.event as { orderId: string }).orderId)).toEqual(['a', 'b'])
    await log.close()
  })

  it('regression: a log that is down at start-up does not stop the tail for good', async () => {
    const inner = createMemoryEventLog()
    let failures = 1
    const flaky: EventLog = {
      ...inner,
      lastId: async () => {
        if (failures-- > 0) throw new Error('connection refused')
        return inner.lastId()
      },
    }
    const received = firstValueFrom(tailEvents(flaky, { log: silent, blockMs: 20, retryDelayMs: 5 }))
    // Append until the recovered tail sees one: no guess at when the retry happens.
    let delivered: string | undefined
    void received.then((event) => (delivered = (event.event as { orderId: string }).orderId))
    let next = 0
    await waitFor(
      async () => {
        await inner.append(created(String(next++)))
        return delivered !== undefined
      },
      { timeoutMs: 2_000, message: 'the recovered tail to deliver an event' },
    )
    expect(delivered).toBeDefined()
    await inner.close()
  })
})
