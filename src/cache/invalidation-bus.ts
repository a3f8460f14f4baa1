import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

/** What an instance dropped from the cache: some keys, or everything (namespace flush). */
export type Invalidation = { readonly keys: readonly string[] } | { readonly all: true }

/**
 * Tells every BFF instance which entries one of them invalidated, over Redis
 * pub/sub, so each can drop them from its in-process L1. Pub/sub delivers
 * only to connected subscribers (at most once): a message sent while this
 * instance was not subscribed is lost, so `listening` says when the L1 may be
 * trusted at all.
 */
export interface InvalidationBus {
  /** Sends an invalidation to the other instances. Rejects when Redis did not take it. */
  publish(invalidation: Invalidation): Promise<void>
  /** True while subscribed: every invalidation published from now on reaches this instance. */
  readonly listening: boolean
  /** Invalidations heard from other instances since start. */
  readonly received: number
  /** Stops reconnecting and drops the subscriber connection. */
  close(): Promise<void>
}

export interface InvalidationBusOptions {
  /** The pub/sub channel, e.g. `bff:l1:invalidate`. */
  readonly channel: string
  /** PUBLISH `payload` on `channel` (through the store's deadline and breaker); rejects on failure. */
  readonly send: (channel: string, payload: string) => Promise<unknown>
  /**
   * A new, unconnected subscriber connection that does not reconnect by
   * itself (`lazyConnect`, no retry strategy), so every loss is seen here and
   * the next attempt may pick another node. `attempt` counts every attempt.
   * null: no node known right now, try later. Omitted: publish only (this
   * instance has no L1 to keep in step).
   */
  readonly connect?: undefined | ((attempt: number) => Redis | null)
  /** Pause (ms) before the next attempt after `failures` consecutive failed ones (1, 2, …). */
  readonly reconnectDelayMs: (failures: number) => number
  /** An invalidation from another instance (never this one's own). */
  readonly onInvalidation: (invalidation: Invalidation) => void
  /** true once subscribed; false as soon as the subscription is lost or an attempt fails. */
  readonly onListening: (listening: boolean) => void
  readonly log: FastifyBaseLogger
}

interface Message {
  /** The sending instance, so it ignores its own broadcasts. */
  readonly from: string
  readonly keys?: readonly string[]
  readonly all?: true
}

/** Reads a message off the wire: anything else Redis delivers on the channel is ignored. */
function decode(payload: string): { readonly from: string; readonly invalidation: Invalidation } | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || !('from' in parsed) || typeof parsed.from !== 'string') return null
  const { from } = parsed
  if ('all' in parsed && parsed.all === true) return { from, invalidation: { all: true } }
  if ('keys' in parsed && Array.isArray(parsed.keys)) {
    const keys: unknown[] = parsed.keys
    if (keys.every((key): key is string => typeof key === 'string')) return { from, invalidation: { keys } }
  }
  return null
}

export function createInvalidationBus(options: InvalidationBusOptions): InvalidationBus {
  const { channel, send, connect, reconnectDelayMs, onInvalidation, onListening, log } = options
  const self = randomUUID()
  let state: 'starting' | 'listening' | 'deaf' = 'starting'
  let received = 0
  let closed = false
  let attempts = 0
  let failures = 0
  let current: Redis | null = null
  let timer: NodeJS.Timeout | null = null

  const listening = (): void => {
    if (closed || state === 'listening') return
    // Logged once per outage, however many attempts it took.
    if (state === 'deaf') log.info({ channel }, 'l1 cache resumed: subscribed to invalidations again')
    state = 'listening'
    failures = 0
    onListening(true)
  }
  const deaf = (err?: unknown): void => {
    if (closed || state === 'deaf') return
    log.warn({ err, channel }, 'l1 cache bypassed: not subscribed to invalidations from other instances')
    state = 'deaf'
    onListening(false)
  }

  const retryLater = (): void => {
    deaf()
    if (closed || timer !== null) return
    failures += 1
    timer = setTimeout(open, reconnectDelayMs(failures))
    timer.unref()
  }

  function open(): void {
    timer = null
    if (closed || connect === undefined) return
    const connection = connect(attempts)
    attempts += 1
    if (connection === null) {
      retryLater()
      return
    }
    current = connection
    // ioredis emits 'error' on every failed connect; without a listener it would crash the process.
    connection.on('error', (err: unknown) => log.debug({ err, channel }, 'invalidation subscriber connection error'))
    connection.on('message', (from: string, payload: string) => {
      if (from !== channel) return
      const message = decode(payload)
      if (message === null) {
        log.debug({ channel }, 'ignored a malformed invalidation message')
        return
      }
      if (message.from === self) return
      received += 1
      onInvalidation(message.invalidation)
    })
    // 'close' comes first, as soon as the socket goes: stop trusting the L1 at once.
    connection.on('close', () => {
      if (current === connection) deaf()
    })
    connection.once('end', () => {
      if (current !== connection) return
      current = null
      retryLater()
    })
    connection
      .connect()
      .then(() => connection.subscribe(channel))
      .then(
        () => {
          if (current === connection) listening()
        },
        (err: unknown) => {
          if (current !== connection) return
          deaf(err)
          // Ends the connection; 'end' schedules the next attempt.
          connection.disconnect()
        },
      )
  }

  open()

  return {
    async publish(invalidation) {
      await send(channel, JSON.stringify({ from: self, ...invalidation } satisfies Message))
    },
    get listening() {
      return state === 'listening'
    },
    get received() {
      return received
    },
    async close() {
      closed = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      const connection = current
      current = null
      // A subscriber has nothing in flight worth waiting for.
      connection?.disconnect()
    },
  }
}
