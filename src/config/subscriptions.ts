import { z } from 'zod'
import { int } from './env-fields.js'

/** Event log retention, websocket limits, backpressure (docs/subscriptions.md). */
export const subscriptionVars = {
  /** Redis Streams key of the domain event log (used with REDIS_URL). */
  EVENT_LOG_STREAM_KEY: z.string().min(1).max(200).default('reactive-bff:events'),
  /** Events the Redis Streams log keeps (approximate, XADD MAXLEN ~); an older `after` gets EVENTS_EXPIRED. */
  EVENT_LOG_MAX_LEN: int(100, 100_000_000).default(100_000),
  /** Open websocket connections per instance; beyond, a new one is closed with 1013 (try again later). */
  SUBSCRIPTION_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
  /** Operations at once on one connection; beyond, the subscribe gets TOO_MANY_SUBSCRIPTIONS. */
  SUBSCRIPTION_MAX_PER_CONNECTION: int(1, 10_000).default(25),
  /** Events queued for one subscriber that does not read (buffer policy); beyond, close 4413. */
  SUBSCRIPTION_BUFFER_EVENTS: int(1, 1_000_000).default(1_000),
  /** connection_init must arrive within this many ms, else close 4408. */
  SUBSCRIPTION_INIT_TIMEOUT_MS: int(10, 60_000).default(3_000),
  /** Websocket ping period in ms; a peer that has not answered the previous ping is dropped. 0 disables. */
  SUBSCRIPTION_KEEP_ALIVE_MS: int(0, 600_000).default(12_000),
  /** Largest websocket message accepted, in bytes; beyond, close 1009. */
  SUBSCRIPTION_MAX_PAYLOAD_BYTES: int(1_024, 64 * 1_048_576).default(1_048_576),
  /** On shutdown, ms allowed for in-flight events and close handshakes before sockets are cut. */
  SUBSCRIPTION_DRAIN_TIMEOUT_MS: int(0, 60_000).default(5_000),
}

/** Websocket subscriptions and the event log they read. */
export interface SubscriptionsConfig {
  /** The Redis Streams log (only with REDIS_URL). */
  readonly eventLog: {
    readonly streamKey: string
    /** Approximate retention, in events. */
    readonly maxLen: number
  }
  /** Open websocket connections per instance. */
  readonly maxConnections: number
  /** Operations at once on one connection. */
  readonly maxPerConnection: number
  /** Events queued for one subscriber before it is closed as too slow (buffer policy). */
  readonly bufferEvents: number
  readonly initTimeoutMs: number
  /** 0 disables pings. */
  readonly keepAliveMs: number
  readonly maxPayloadBytes: number
  readonly drainTimeoutMs: number
}

export function subscriptionsConfig(e: z.output<z.ZodObject<typeof subscriptionVars>>): SubscriptionsConfig {
  return {
    eventLog: { streamKey: e.EVENT_LOG_STREAM_KEY, maxLen: e.EVENT_LOG_MAX_LEN },
    maxConnections: e.SUBSCRIPTION_MAX_CONNECTIONS,
    maxPerConnection: e.SUBSCRIPTION_MAX_PER_CONNECTION,
    bufferEvents: e.SUBSCRIPTION_BUFFER_EVENTS,
    initTimeoutMs: e.SUBSCRIPTION_INIT_TIMEOUT_MS,
    keepAliveMs: e.SUBSCRIPTION_KEEP_ALIVE_MS,
    maxPayloadBytes: e.SUBSCRIPTION_MAX_PAYLOAD_BYTES,
    drainTimeoutMs: e.SUBSCRIPTION_DRAIN_TIMEOUT_MS,
  }
}
