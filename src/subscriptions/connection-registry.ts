import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import { closeFor } from '../errors.js'
import type { SubscriptionStats } from './subscription-stats.js'

export interface ConnectionRegistryOptions {
  /** Connections open at once; beyond, new ones are refused with 1013. */
  readonly maxConnections: number
  /**
   * Ping period in ms: each socket is pinged once per period, and a peer that
   * has not answered the previous ping by the next one is terminated, so a
   * dead or frozen peer goes within two periods. 0 disables pings. @default 12_000
   */
  readonly keepAliveMs?: undefined | number
  readonly stats: SubscriptionStats
  readonly log: FastifyBaseLogger
}

export interface ConnectionRegistry {
  /** Takes a new socket in, or closes it at once (cap reached, shutting down) and returns false. */
  admit(socket: WebSocket): boolean
  readonly size: number
  /** Refuses new connections with 1012 from now on. */
  stopAccepting(): void
  /**
   * Closes every connection with `code`, waits up to `timeoutMs` for the close
   * handshakes, then terminates the rest.
   */
  closeAll(code: number, reason: string, timeoutMs: number): Promise<void>
}

/** Keep-alive work is done in slices this far apart, so pings never go out in one burst. */
const SWEEP_TICK_MS = 100

/**
 * Every open connection of the instance: enforces the connection cap, pings
 * every socket once per keep-alive period, and closes them all on shutdown.
 *
 * Sockets are dealt round-robin into one bucket per tick of the period and a
 * tick visits one bucket: with 10,000 sockets and a 12 s period that is ~85
 * pings every 100 ms instead of 10,000 at once (a burst that stalled both
 * ends' event loops for about a second in the benchmark).
 */
export function createConnectionRegistry(options: ConnectionRegistryOptions): ConnectionRegistry {
  const { stats, log } = options
  if (!Number.isSafeInteger(options.maxConnections) || options.maxConnections < 1) {
    throw new TypeError(`createConnectionRegistry: maxConnections must be a positive integer, got ${String(options.maxConnections)}`)
  }
  const keepAliveMs = options.keepAliveMs ?? 12_000
  if (!Number.isSafeInteger(keepAliveMs) || keepAliveMs < 0) {
    throw new TypeError(`createConnectionRegistry: keepAliveMs must be a non-negative integer, got ${String(options.keepAliveMs)}`)
  }
  const tickMs = Math.min(SWEEP_TICK_MS, keepAliveMs)
  const slices = keepAliveMs === 0 ? 1 : Math.max(1, Math.round(keepAliveMs / tickMs))
  const buckets: Array<Set<WebSocket>> = Array.from({ length: slices }, () => new Set())
  /** Socket → whether it answered the last ping, and its bucket. */
  const sockets = new Map<WebSocket, { alive: boolean; readonly bucket: Set<WebSocket> }>()
  let dealt = 0
  let tick = 0
  let accepting = true

  const visit = (): void => {
    const bucket = buckets[tick % buckets.length] as Set<WebSocket>
    tick += 1
    for (const socket of bucket) {
      const state = sockets.get(socket)
      if (state === undefined) continue
      if (!state.alive) {
        log.debug('terminating a websocket peer that did not answer the last ping')
        socket.terminate()
        continue
      }
      state.alive = false
      socket.ping()
    }
  }
  let timer: NodeJS.Timeout | null = null
  const startSweeping = (): void => {
    if (timer === null && keepAliveMs > 0) timer = setInterval(visit, tickMs).unref()
  }
  const stopSweeping = (): void => {
    if (timer !== null) clearInterval(timer)
    timer = null
  }

  return {
    admit(socket) {
      if (!accepting) {
        stats.connectionsRefused += 1
        const { code, reason } = closeFor('SERVER_RESTARTING')
        socket.close(code, reason)
        return false
      }
      if (sockets.size >= options.maxConnections) {
        stats.connectionsRefused += 1
        log.warn({ maxConnections: options.maxConnections }, 'websocket connection refused: instance at its connection cap')
        const { code, reason } = closeFor('TOO_MANY_CONNECTIONS')
        socket.close(code, reason)
        return false
      }
      const state = { alive: true, bucket: buckets[dealt % buckets.length] as Set<WebSocket> }
      dealt += 1
      state.bucket.add(socket)
      sockets.set(socket, state)
      stats.connections = sockets.size
      socket.on('pong', () => {
        state.alive = true
      })
      socket.once('close', () => {
        state.bucket.delete(socket)
        sockets.delete(socket)
        stats.connections = sockets.size
        if (sockets.size === 0) stopSweeping()
      })
      startSweeping()
      return true
    },
    get size() {
      return sockets.size
    },
    stopAccepting() {
      accepting = false
    },
    async closeAll(code, reason, timeoutMs) {
      accepting = false
      stopSweeping()
      const open = [...sockets.keys()]
      const closed = open.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())))
      for (const socket of open) socket.close(code, reason)
      let deadline: NodeJS.Timeout | undefined
      const expired = new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, timeoutMs)
      })
      await Promise.race([Promise.all(closed), expired])
      clearTimeout(deadline)
      for (const socket of sockets.keys()) socket.terminate()
    },
  }
}
