import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import type { EventLog } from '../../../src/events/event-log.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { createRedisStreamEventLog } from '../../../src/events/redis-stream-event-log.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'

const EVENT: DomainEvent = { type: 'inventory.changed', productId: '1', stock: 3, priceAmount: 100 }
const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis.stop()
})

const logs: Record<string, () => EventLog> = {
  'in-process': () => createMemoryEventLog(),
  'Redis Streams': () => createRedisStreamEventLog({ url: redis.url, streamKey: `test:${randomUUID()}`, log: quiet }),
}

describe.each(Object.entries(logs))('%s event log: the publisher trace context', (_name, open) => {
  it('keeps a well-formed traceparent with the event, for readers in any instance', async () => {
    const log = open()
    onTestFinished(() => log.close())
    const appended = await log.append(EVENT, { traceparent: VALID })
    expect(appended.traceparent).toBe(VALID)
    const [read] = await log.read('0-0')
    expect(read).toMatchObject({ id: appended.id, event: EVENT, traceparent: VALID })
  })

  it('drops a malformed one (header values are untrusted) and carries none when none was sent', async () => {
    const log = open()
    onTestFinished(() => log.close())
    await log.append(EVENT, { traceparent: `${VALID}x` })
    await log.append(EVENT, { traceparent: [VALID, VALID] })
    await log.append(EVENT)
    const read = await log.read('0-0')
    expect(read).toHaveLength(3)
    expect(read.map((event) => event.traceparent)).toEqual([undefined, undefined, undefined])
    expect(read.every((event) => !('traceparent' in event))).toBe(true)
  })
})
