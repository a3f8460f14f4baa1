import { compareEventIds, originTraceparent, type EventLog, type EventOrigin, type LoggedEvent, type ReadOptions } from './event-log.js'
import type { DomainEvent } from './domain-events.js'

export interface MemoryEventLogOptions {
  /** Events retained; the oldest are dropped past it, like XADD MAXLEN. @default 10_000 */
  readonly maxLen?: undefined | number
  /** Clock, injectable for tests. @default Date.now */
  readonly now?: undefined | (() => number)
}

/**
 * The embedded default event log: an in-process ring with the same semantics as
 * the Redis Streams log (ids `<ms>-<seq>`, bounded retention, blocking reads).
 * Only usable when producers and consumers share a process (`npm start`).
 */
export function createMemoryEventLog(options: MemoryEventLogOptions = {}): EventLog {
  const maxLen = options.maxLen ?? 10_000
  if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
    throw new TypeError(`createMemoryEventLog: maxLen must be a positive integer, got ${String(options.maxLen)}`)
  }
  const now = options.now ?? Date.now
  const events: LoggedEvent[] = []
  const waiters = new Set<() => void>()
  let lastMs = 0
  let lastSeq = 0
  let closed = false

  function nextId(): string {
    const ms = now()
    if (ms > lastMs) {
      lastMs = ms
      lastSeq = 0
    } else {
      lastSeq += 1
    }
    return `${lastMs}-${lastSeq}`
  }

  function after(position: string, limit: number): LoggedEvent[] {
    // Binary search: the log is sorted by id and reads are the hot path.
    let lo = 0
    let hi = events.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareEventIds((events[mid] as LoggedEvent).id, position) <= 0) lo = mid + 1
      else hi = mid
    }
    return events.slice(lo, lo + limit)
  }

  return {
    async append(event: DomainEvent, origin?: undefined | EventOrigin): Promise<LoggedEvent> {
      if (closed) throw new Error('event log is closed')
      const traceparent = originTraceparent(origin)
      const id = nextId()
      const occurredAt = new Date(lastMs).toISOString()
      const logged: LoggedEvent = traceparent === undefined ? { id, occurredAt, event } : { id, occurredAt, event, traceparent }
      events.push(logged)
      if (events.length > maxLen) events.splice(0, events.length - maxLen)
      for (const wake of waiters) wake()
      waiters.clear()
      return logged
    },

    async read(position: string, readOptions: ReadOptions = {}): Promise<readonly LoggedEvent[]> {
      const limit = readOptions.limit ?? 100
      const found = after(position, limit)
      const blockMs = readOptions.blockMs ?? 0
      if (found.length > 0 || blockMs <= 0 || closed) return found
      const signal = readOptions.signal
      if (signal?.aborted) return found
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer)
          waiters.delete(done)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, blockMs)
        waiters.add(done)
        signal?.addEventListener('abort', done, { once: true })
      })
      return after(position, limit)
    },

    async lastId(): Promise<string> {
      return events.at(-1)?.id ?? '0-0'
    },

    async firstId(): Promise<string | null> {
      return events[0]?.id ?? null
    },

    async close(): Promise<void> {
      closed = true
      for (const wake of waiters) wake()
      waiters.clear()
    },
  }
}
