import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { DomainEvent } from '../../../src/events/domain-events.js'
import { compareEventIds } from '../../../src/events/event-log.js'
import { createRedisStreamEventLog } from '../../../src/events/redis-stream-event-log.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'

const stock = (productId: string, value: number): DomainEvent => ({ type: 'inventory.changed', productId, stock: value, priceAmount: 100 })

/** Records what the log reports, by level. */
function recordingLogger() {
  const lines: Array<{ level: string; msg: string }> = []
  const at =
    (level: string) =>
    (first: unknown, message?: string): void => {
      lines.push({ level, msg: message ?? String(first) })
    }
  return { lines, log: { debug: () => undefined, info: at('info'), warn: at('warn') } }
}

describe('createRedisStreamEventLog against a real redis-server', () => {
  let redis: RedisServer
  let raw: Redis
  beforeAll(async () => {
    redis = await startRedisServer()
    raw = new Redis(redis.url)
  })
  afterAll(async () => {
    raw.disconnect()
    await redis.stop()
  })

  function open(options: { maxLen?: number } = {}) {
    const streamKey = `test:${randomUUID()}`
    const recorder = recordingLogger()
    const log = createRedisStreamEventLog({ url: redis.url, streamKey, log: recorder.log, ...options })
    onTestFinished(() => log.close())
    return { log, streamKey, lines: recorder.lines }
  }

  it('appends and reads in order from any position, stamping occurredAt from the id', async () => {
    const { log } = open()
    expect(await log.lastId()).toBe('0-0')
    expect(await log.firstId()).toBeNull()
    const a = await log.append(stock('1', 5))
    const b = await log.append(stock('2', 6))
    expect(compareEventIds(b.id, a.id)).toBe(1)
    expect(a.occurredAt).toBe(new Date(Number(a.id.split('-')[0])).toISOString())
    expect(await log.read('0-0')).toEqual([a, b])
    expect(await log.read(a.id)).toEqual([b])
    expect(await log.read(b.id, { limit: 10 })).toEqual([])
    expect([await log.firstId(), await log.lastId()]).toEqual([a.id, b.id])
  })

  it('a blocking read wakes on the next append; an abort ends it at once', async () => {
    const { log } = open()
    const start = await log.lastId()
    const waiting = log.read(start, { blockMs: 5_000 })
    const appended = await log.append(stock('1', 1))
    expect(await waiting).toEqual([appended])

    const controller = new AbortController()
    const idle = log.read(appended.id, { blockMs: 5_000, signal: controller.signal })
    const startedAt = performance.now()
    controller.abort()
    expect(await idle).toEqual([])
    expect(performance.now() - startedAt).toBeLessThan(1_000)
    // The next blocking read gets a fresh reader connection.
    const next = log.read(appended.id, { blockMs: 5_000 })
    const later = await log.append(stock('1', 2))
    expect(await next).toEqual([later])
  })

  it('trims to about maxLen (XADD MAXLEN ~): the oldest ids leave retention', async () => {
    const { log } = open({ maxLen: 100 })
    const first = await log.append(stock('1', 0))
    for (let i = 1; i < 400; i += 1) await log.append(stock('1', i))
    const oldest = await log.firstId()
    expect(oldest).not.toBeNull()
    expect(compareEventIds(oldest ?? '0-0', first.id)).toBe(1)
  })

  it('skips an entry it cannot read and says which', async () => {
    const { log, streamKey, lines } = open()
    const before = await log.append(stock('1', 1))
    await raw.xadd(streamKey, '*', 'e', '{"type":"unknown"}')
    const after = await log.append(stock('1', 2))
    expect(await log.read(before.id)).toEqual([after])
    expect(lines.filter((line) => line.msg === 'skipping malformed event log entry')).toHaveLength(1)
  })

  it('a stream that went behind our position (reset, lower ids) is noticed once and read from its start', async () => {
    const { log, streamKey, lines } = open()
    await log.append(stock('1', 1))
    const position = (await log.append(stock('1', 2))).id
    expect(await log.read(position, { blockMs: 50 })).toEqual([])
    // As after a restart without persistence on a server whose clock went back.
    await raw.del(streamKey)
    await raw.xadd(streamKey, '1-1', 'e', JSON.stringify(stock('9', 9)))
    expect(await log.read(position, { blockMs: 50 })).toEqual([])
    const resumed = await log.read(position, { blockMs: 50 })
    expect(resumed.map((event) => event.id)).toEqual(['1-1'])
    const fresh = await log.append(stock('1', 3))
    expect(await log.read('1-1', { blockMs: 50 })).toEqual([fresh])
    expect(await log.read(fresh.id, { blockMs: 50 })).toEqual([])
    expect(lines.filter((line) => line.level === 'warn' && line.msg.includes('event log started anew'))).toHaveLength(1)
  })
})
