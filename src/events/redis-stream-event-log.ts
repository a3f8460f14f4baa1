import type { FastifyBaseLogger } from 'fastify'
import { Redis, type RedisOptions } from 'ioredis'
import { BffError } from '../errors.js'
import { parseDomainEvent, type DomainEvent } from './domain-events.js'
import { compareEventIds, originTraceparent, type EventLog, type EventOrigin, type LoggedEvent, type ReadOptions } from './event-log.js'

export interface RedisStreamEventLogOptions {
  /** `redis://` or `rediss://` URL of the server holding the stream. */
  readonly url: string
  /** Key of the stream. @default 'reactive-bff:events' */
  readonly streamKey?: undefined | string
  /**
   * Entries kept: every XADD trims with `MAXLEN ~`, so Redis keeps at least
   * this many (a little more, trimming whole radix-tree nodes). @default 100_000
   */
  readonly maxLen?: undefined | number
  /** Limit of one non-blocking command, in ms; a frozen server fails reads instead of hanging them. @default 2_000 */
  readonly commandTimeoutMs?: undefined | number
  /** Restarts, resets and skipped entries are reported here (app.log, or any pino-like logger). */
  readonly log: EventLogLogger
}

/** The part of a pino logger the log uses, so the mocks can pass a plain stderr writer. */
export type EventLogLogger = Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn'>

type StreamEntry = [id: string, fields: string[]]

const EVENT_FIELD = 'e'
/** The publisher's W3C trace context, when it sent one. */
const TRACEPARENT_FIELD = 'tp'

/** `<ms>` part of a stream id as an ISO-8601 time: Redis stamps entries with its own clock. */
function occurredAt(id: string): string {
  return new Date(Number(id.slice(0, id.indexOf('-')))).toISOString()
}

function runIdOf(info: string): string | null {
  return /^run_id:(\w+)/m.exec(info)?.[1] ?? null
}

/**
 * The domain event log on Redis Streams: XADD with bounded retention, XREAD
 * (BLOCK) from any position. Blocking reads use a connection of their own so
 * they never queue appends or replay reads behind them.
 *
 * Redis restarted without persistence comes back with the stream gone, so
 * positions held by readers point into a log that no longer exists. The log
 * notices (server `run_id` changed and the stream no longer holds our
 * position, or its newest id fell behind ours), says so once, and readers
 * carry on with the new entries; when the new ids are lower than a reader's
 * position, that reader is moved to the start of the new log rather than
 * waiting for ids to catch up.
 */
export function createRedisStreamEventLog(options: RedisStreamEventLogOptions): EventLog {
  const key = options.streamKey ?? 'reactive-bff:events'
  const maxLen = options.maxLen ?? 100_000
  if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
    throw new BffError('BFF_ERR_OPTION_INVALID', `createRedisStreamEventLog: maxLen must be a positive integer, got ${String(options.maxLen)}`)
  }
  if (key.length === 0) throw new BffError('BFF_ERR_OPTION_INVALID', 'createRedisStreamEventLog: streamKey must not be empty')
  const log = options.log
  const base: RedisOptions = {
    // Reconnect quickly: every second of outage is a second of no live events.
    retryStrategy: (times) => Math.min(times * 50, 1_000),
    // Commands wait for a reconnect briefly, then fail so callers can retry and log.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
  }
  const commands = new Redis(options.url, { ...base, commandTimeout: options.commandTimeoutMs ?? 2_000, connectionName: 'bff-event-log' })
  let blocking: Redis | null = null
  let closed = false
  /** Highest id this instance has appended or read: where it stands in the log. */
  let highest = '0-0'
  let runId: string | null = null
  /** Our position when the connection dropped; checked against the stream once it is back. */
  let positionAtLoss: string | null = null
  /** Set when the new log's ids are below old positions: reads from at or past it restart at the new log's head. */
  let resetFrom: string | null = null

  commands.on('error', (err: Error) => log.debug({ err }, 'event log connection error'))
  commands.on('close', () => {
    positionAtLoss ??= highest
  })
  commands.on('ready', () => {
    // Checked at once rather than on the next read: a read could otherwise take
    // in new entries first and make a lost stream look continuous.
    checkContinuity().catch((err: unknown) => log.debug({ err }, 'event log continuity check failed; retried on reconnect'))
  })

  function blockingConnection(): Redis {
    if (blocking === null) {
      // No commandTimeout: it would cut every BLOCK short. Aborts disconnect instead.
      blocking = new Redis(options.url, { ...base, maxRetriesPerRequest: 0, connectionName: 'bff-event-log-reader' })
      blocking.on('error', (err: Error) => log.debug({ err }, 'event log reader connection error'))
    }
    return blocking
  }

  function advance(id: string): void {
    if (compareEventIds(id, highest) > 0) highest = id
  }

  async function edgeIds(): Promise<{ first: string | null; last: string | null }> {
    const [first] = await commands.xrange(key, '-', '+', 'COUNT', 1)
    const [last] = await commands.xrevrange(key, '+', '-', 'COUNT', 1)
    return { first: first?.[0] ?? null, last: last?.[0] ?? null }
  }

  function noticeReset(reason: string, position: string, edges: { first: string | null; last: string | null }): void {
    log.warn(
      { position, firstId: edges.first, lastId: edges.last, stream: key },
      `event log started anew (${reason}); events after ${position} not yet delivered are lost; carrying on with new events`,
    )
    // New ids may sort below old positions (the server clock went back): readers there restart at the new head.
    if (edges.last === null || compareEventIds(edges.last, position) < 0) resetFrom = position
    highest = edges.last ?? '0-0'
  }

  /** Runs on each (re)connection: tells a Redis restart that lost the stream from a network blip. */
  async function checkContinuity(): Promise<void> {
    const position = positionAtLoss
    const current = runIdOf(await commands.info('server'))
    const previous = runId
    runId = current
    positionAtLoss = null
    if (previous === null || current === previous || position === null || position === '0-0') return
    const edges = await edgeIds()
    const holdsPosition = edges.first !== null && compareEventIds(edges.first, position) <= 0
    if (!holdsPosition) noticeReset('Redis restarted and the stream no longer holds our position', position, edges)
    else log.info({ position, stream: key }, 'Redis restarted; the event log is intact, reading on from our position')
  }

  /** An empty read is the cheap moment to see the stream fell behind us without a restart (FLUSHALL, DEL). */
  async function checkNotBehind(): Promise<void> {
    // A reconnection check still to run will tell (once) what happened.
    if (highest === '0-0' || positionAtLoss !== null) return
    const edges = await edgeIds()
    if (edges.last === null || compareEventIds(edges.last, highest) < 0) noticeReset('the stream is empty or behind our position', highest, edges)
  }

  /** Where to read from: a position left over from before a reset maps to the new log's start. */
  async function effectivePosition(after: string): Promise<string> {
    if (resetFrom === null || compareEventIds(after, resetFrom) < 0) return after
    const { last } = await edgeIds()
    if (last !== null && compareEventIds(last, resetFrom) >= 0) {
      resetFrom = null
      return after
    }
    return '0-0'
  }

  function toLogged(entries: readonly StreamEntry[]): LoggedEvent[] {
    const out: LoggedEvent[] = []
    for (const [id, fields] of entries) {
      advance(id)
      const index = fields.indexOf(EVENT_FIELD)
      let event: DomainEvent | null = null
      try {
        event = index >= 0 && index % 2 === 0 ? parseDomainEvent(JSON.parse(fields[index + 1] ?? '')) : null
      } catch {
        event = null
      }
      // The log is shared input: an entry we cannot read is skipped, not fatal to every reader.
      if (event === null) log.warn({ id, stream: key }, 'skipping malformed event log entry')
      else {
        const at = fields.indexOf(TRACEPARENT_FIELD)
        const traceparent = at >= 0 && at % 2 === 0 ? originTraceparent({ traceparent: fields[at + 1] }) : undefined
        out.push(traceparent === undefined ? { id, occurredAt: occurredAt(id), event } : { id, occurredAt: occurredAt(id), event, traceparent })
      }
    }
    return out
  }

  async function blockingRead(position: string, limit: number, blockMs: number, signal: AbortSignal | undefined): Promise<StreamEntry[]> {
    if (signal?.aborted) return []
    const connection = blockingConnection()
    // Redis cannot cancel a BLOCK; dropping the connection can. The next read opens a new one.
    const abort = (): void => {
      if (blocking === connection) blocking = null
      connection.disconnect()
    }
    signal?.addEventListener('abort', abort, { once: true })
    try {
      const reply = await connection.xread('COUNT', limit, 'BLOCK', blockMs, 'STREAMS', key, position)
      return (reply?.[0]?.[1] ?? []) as StreamEntry[]
    } catch (err) {
      if (signal?.aborted || closed) return []
      throw err
    } finally {
      signal?.removeEventListener('abort', abort)
    }
  }

  return {
    async append(event: DomainEvent, origin?: undefined | EventOrigin): Promise<LoggedEvent> {
      if (closed) throw new Error('event log is closed')
      const traceparent = originTraceparent(origin)
      const body = JSON.stringify(event)
      const id =
        traceparent === undefined
          ? await commands.xadd(key, 'MAXLEN', '~', maxLen, '*', EVENT_FIELD, body)
          : await commands.xadd(key, 'MAXLEN', '~', maxLen, '*', EVENT_FIELD, body, TRACEPARENT_FIELD, traceparent)
      if (id === null) throw new Error('XADD returned no id')
      advance(id)
      return traceparent === undefined ? { id, occurredAt: occurredAt(id), event } : { id, occurredAt: occurredAt(id), event, traceparent }
    },

    async read(after: string, readOptions: ReadOptions = {}): Promise<readonly LoggedEvent[]> {
      if (closed) return []
      const limit = readOptions.limit ?? 100
      const blockMs = readOptions.blockMs ?? 0
      const position = await effectivePosition(after)
      const entries =
        blockMs > 0
          ? await blockingRead(position, limit, blockMs, readOptions.signal)
          : (((await commands.xread('COUNT', limit, 'STREAMS', key, position))?.[0]?.[1] ?? []) as StreamEntry[])
      if (entries.length === 0 && blockMs > 0 && !closed && !readOptions.signal?.aborted) await checkNotBehind()
      return toLogged(entries)
    },

    async lastId(): Promise<string> {
      const { last } = await edgeIds()
      if (last !== null) advance(last)
      return last ?? '0-0'
    },

    async firstId(): Promise<string | null> {
      const [first] = await commands.xrange(key, '-', '+', 'COUNT', 1)
      return first?.[0] ?? null
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      blocking?.disconnect()
      blocking = null
      await commands.quit().catch(() => commands.disconnect())
    },
  }
}
