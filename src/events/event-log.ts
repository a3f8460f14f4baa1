import type { DomainEvent } from './domain-events.js'

/** An event as stored in the log. */
export interface LoggedEvent {
  /**
   * Position in the log, in Redis Stream id form `<ms>-<seq>`, so ids from the
   * in-process log and from Redis Streams compare the same way.
   */
  readonly id: string
  /** ISO-8601 time the event was appended. */
  readonly occurredAt: string
  readonly event: DomainEvent
  /**
   * The W3C trace context of the request that caused the event, when its
   * publisher sent one: the BFF links each event's resolution to it.
   */
  readonly traceparent?: undefined | string
}

/** Where an appended event came from. */
export interface EventOrigin {
  /** The W3C `traceparent` of the request that caused it; kept only when well-formed. */
  readonly traceparent?: undefined | string | readonly string[]
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** The origin's traceparent if it is a well-formed W3C one (a header value is untrusted input). */
export function originTraceparent(origin: EventOrigin | undefined): string | undefined {
  const value = origin?.traceparent
  return typeof value === 'string' && TRACEPARENT.test(value) ? value : undefined
}

export interface ReadOptions {
  /** Most events to return. @default 100 */
  readonly limit?: undefined | number
  /**
   * When nothing is newer than `after`, wait up to this long (ms) for an event
   * before answering with an empty list. 0 answers at once. @default 0
   */
  readonly blockMs?: undefined | number
  /** Ends a blocking read early (answers with what it has, usually nothing). */
  readonly signal?: undefined | AbortSignal
}

/**
 * Append-only log of domain events that every BFF instance reads from its own
 * position. Implementations: in-process (`createMemoryEventLog`, the embedded
 * default) and Redis Streams.
 */
export interface EventLog {
  append(event: DomainEvent, origin?: undefined | EventOrigin): Promise<LoggedEvent>
  /** Events strictly after position `after` (`'0-0'` = from the oldest retained), oldest first. */
  read(after: string, options?: ReadOptions): Promise<readonly LoggedEvent[]>
  /** Id of the newest event, or `'0-0'` when the log is empty. */
  lastId(): Promise<string>
  /** Id of the oldest retained event, or null when the log is empty. */
  firstId(): Promise<string | null>
  close(): Promise<void>
}

/** Compares two stream ids (`<ms>-<seq>`) numerically. */
export function compareEventIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt)
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt)
  if (am !== bm) return am < bm ? -1 : 1
  if (as !== bs) return as < bs ? -1 : 1
  return 0
}

const EVENT_ID = /^\d{1,15}-\d{1,15}$/

export function isEventId(value: string): boolean {
  return EVENT_ID.test(value)
}
