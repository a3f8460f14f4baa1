import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

/**
 * `starting`: the first attempt has not settled; `listening`: subscribed;
 * `deaf`: not subscribed (lost, or an attempt failed), reconnecting;
 * `stopped`: `subscribe` found nothing to listen for, or close() was called.
 */
export type SubscriberState = 'starting' | 'listening' | 'deaf' | 'stopped'

/**
 * One dedicated subscriber connection kept subscribed: reopened with backoff
 * whenever it is lost. Pub/sub is at most once, so a caller must know every
 * moment it was not listening; `onChange` reports each transition.
 */
export interface RedisSubscriber {
  readonly state: SubscriberState
  /** Stops reconnecting and drops the connection. */
  close(): Promise<void>
}

export interface RedisSubscriberOptions {
  /**
   * A new, unconnected connection that does not reconnect by itself
   * (`lazyConnect`, no retry strategy: see `openSubscriberConnection`), so
   * every loss is seen here and the next attempt may pick another node.
   * `attempt` counts every attempt. null: no node known right now, try later.
   */
  readonly connect: (attempt: number) => Redis | null
  /**
   * Runs on each new connection once connected: add `message` listeners,
   * SUBSCRIBE. Resolves true once subscribed; false when there is nothing to
   * listen for (the connection is dropped and not reopened: state `stopped`);
   * rejects to count a failed attempt and retry later.
   */
  readonly subscribe: (connection: Redis) => Promise<boolean>
  /** Pause (ms) before the next attempt after `failures` consecutive failed ones (1, 2, …). */
  readonly reconnectDelayMs: (failures: number) => number
  /**
   * Each change between listening and not (`deaf` is reported once per
   * outage, however many attempts fail during it, and also when the first
   * attempt fails). `err`: why, when known.
   */
  readonly onChange: (state: 'listening' | 'deaf', previous: SubscriberState, err?: unknown) => void
  /** Names the connection in debug log lines, e.g. the channel. */
  readonly name: string
  readonly log: FastifyBaseLogger
}

export function createRedisSubscriber(options: RedisSubscriberOptions): RedisSubscriber {
  const { connect, subscribe, reconnectDelayMs, onChange, name, log } = options
  let state: SubscriberState = 'starting'
  let attempts = 0
  let failures = 0
  let current: Redis | null = null
  let timer: NodeJS.Timeout | null = null

  const listening = (): void => {
    if (state === 'stopped' || state === 'listening') return
    const previous = state
    state = 'listening'
    failures = 0
    onChange('listening', previous)
  }
  const deaf = (err?: unknown): void => {
    if (state === 'stopped' || state === 'deaf') return
    const previous = state
    state = 'deaf'
    onChange('deaf', previous, err)
  }

  const retryLater = (): void => {
    deaf()
    if (state === 'stopped' || timer !== null) return
    failures += 1
    timer = setTimeout(open, reconnectDelayMs(failures))
    timer.unref()
  }

  const stop = (): void => {
    state = 'stopped'
    if (timer !== null) clearTimeout(timer)
    timer = null
    const connection = current
    current = null
    // A subscriber has nothing in flight worth waiting for.
    connection?.disconnect()
  }

  function open(): void {
    timer = null
    if (state === 'stopped') return
    const connection = connect(attempts)
    attempts += 1
    if (connection === null) {
      retryLater()
      return
    }
    current = connection
    // ioredis emits 'error' on every failed connect; without a listener it would crash the process.
    connection.on('error', (err: unknown) => log.debug({ err, subscriber: name }, 'subscriber connection error'))
    // 'close' comes first, as soon as the socket goes: whatever is published from now on is missed.
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
      .then(() => subscribe(connection))
      .then(
        (subscribed) => {
          if (current !== connection) return
          if (subscribed) listening()
          else stop()
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
    get state() {
      return state
    },
    async close() {
      stop()
    },
  }
}
