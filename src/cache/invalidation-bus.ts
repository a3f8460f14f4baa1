import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import { createRedisSubscriber } from './redis-subscriber.js'

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
  /**
   * true once subscribed and hearing; false as soon as the subscription is
   * lost, an attempt fails, or (with heartbeats) the channel falls silent.
   */
  readonly onListening: (listening: boolean) => void
  /**
   * Heartbeat period (ms); 0: none. A subscribed instance publishes a beat
   * this often and counts itself deaf when it has heard nothing on the
   * channel for three periods, so a frozen Redis or a link TCP has not yet
   * seen die is noticed within that bound, not only when the connection
   * drops. @default 0
   */
  readonly heartbeatMs?: undefined | number
  /** PUBLISH for beats, outside the store's breaker (a late beat is no store failure). @default send */
  readonly sendBeat?: undefined | ((channel: string, payload: string) => Promise<unknown>)
  readonly log: FastifyBaseLogger
}

/** Periods without a message after which the channel counts as silent. */
const SILENT_BEATS = 3

interface Message {
  /** The sending instance, so it ignores its own broadcasts. */
  readonly from: string
  readonly keys?: readonly string[]
  readonly all?: true
  /** A heartbeat: it carries nothing, it proves the channel delivers. */
  readonly beat?: true
}

/** Reads a message off the wire: anything else Redis delivers on the channel is ignored. */
function decode(payload: string): { readonly from: string; readonly invalidation: Invalidation } | 'beat' | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || !('from' in parsed) || typeof parsed.from !== 'string') return null
  const { from } = parsed
  if ('beat' in parsed && parsed.beat === true) return 'beat'
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
  let received = 0
  const heartbeatMs = options.heartbeatMs ?? 0
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 0) throw new TypeError(`createInvalidationBus: heartbeatMs must be a non-negative integer, got ${String(heartbeatMs)}`)
  const sendBeat = options.sendBeat ?? send
  let lastHeardAt = performance.now()
  let silent = false
  const heard = (): void => {
    lastHeardAt = performance.now()
    if (!silent) return
    silent = false
    log.info({ channel }, 'l1 cache resumed: the invalidation channel delivers again')
    onListening(true)
  }

  const subscriber =
    connect === undefined
      ? null
      : createRedisSubscriber({
          connect,
          reconnectDelayMs,
          name: channel,
          log,
          async subscribe(connection) {
            connection.on('message', (from: string, payload: string) => {
              if (from !== channel) return
              heard()
              const message = decode(payload)
              if (message === 'beat') return
              if (message === null) {
                log.debug({ channel }, 'ignored a malformed invalidation message')
                return
              }
              if (message.from === self) return
              received += 1
              onInvalidation(message.invalidation)
            })
            await connection.subscribe(channel)
            return true
          },
          onChange(state, previous, err) {
            if (state === 'deaf') {
              log.warn({ err, channel }, 'l1 cache bypassed: not subscribed to invalidations from other instances')
            } else if (previous === 'deaf') {
              // Logged once per outage, however many attempts it took.
              log.info({ channel }, 'l1 cache resumed: subscribed to invalidations again')
            }
            lastHeardAt = performance.now()
            silent = false
            onListening(state === 'listening')
          },
        })

  // Publishes this instance's beat and checks that something was heard lately. A timer that fires
  // late means this process stalled, not the channel: messages that arrived meanwhile are still
  // unread, so that tick gives the channel a fresh window instead of judging it.
  let beats: NodeJS.Timeout | undefined
  if (subscriber !== null && heartbeatMs > 0) {
    const beat = JSON.stringify({ from: self, beat: true } satisfies Message)
    let due = performance.now() + heartbeatMs
    beats = setInterval(() => {
      const now = performance.now()
      const late = now - due
      due = now + heartbeatMs
      sendBeat(channel, beat).catch((err: unknown) => log.debug({ err, channel }, 'invalidation heartbeat not sent'))
      if (subscriber.state !== 'listening' || silent) return
      if (late > heartbeatMs) {
        lastHeardAt = now
        return
      }
      if (now - lastHeardAt <= heartbeatMs * SILENT_BEATS) return
      silent = true
      log.warn({ channel, silentMs: Math.round(now - lastHeardAt) }, 'l1 cache bypassed: nothing heard on the invalidation channel, though subscribed')
      onListening(false)
    }, heartbeatMs)
    beats.unref()
  }

  return {
    async publish(invalidation) {
      await send(channel, JSON.stringify({ from: self, ...invalidation } satisfies Message))
    },
    get listening() {
      return subscriber?.state === 'listening' && !silent
    },
    get received() {
      return received
    },
    async close() {
      clearInterval(beats)
      await subscriber?.close()
    },
  }
}
