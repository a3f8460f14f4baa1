import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from 'graphql-ws'
import WebSocket from 'ws'
import { waitFor } from './wait-for.js'

/**
 * Queue-based websocket clients for tests: every message and close is queued
 * as it arrives and taken with a bounded wait, so tests wait for events, not
 * for guessed times (after graphql-ws' tests/utils/tclient.ts).
 */

interface Waiter<T> {
  resolve(value: T): void
  reject(error: Error): void
}

/** A FIFO whose `take` waits up to `expireMs` for the next item. */
export function createQueue<T>(what: string) {
  const items: T[] = []
  const waiters: Waiter<T>[] = []
  return {
    push(item: T): void {
      const waiter = waiters.shift()
      if (waiter === undefined) items.push(item)
      else waiter.resolve(item)
    },
    take(expireMs = 5_000): Promise<T> {
      const item = items.shift()
      if (item !== undefined) return Promise.resolve(item)
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter<T> = {
          resolve: (value) => {
            clearTimeout(timer)
            resolve(value)
          },
          reject,
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error(`no ${what} within ${expireMs} ms`))
        }, expireMs)
        waiters.push(waiter)
      })
    },
    /** Resolves true when nothing arrives within `expireMs` (negative assertions). */
    async nothingWithin(expireMs: number): Promise<boolean> {
      try {
        await this.take(expireMs)
        return false
      } catch {
        return true
      }
    },
    get size(): number {
      return items.length
    },
  }
}

export interface CloseInfo {
  readonly code: number
  readonly reason: string
}

/** A raw graphql-transport-ws connection for protocol-level tests. */
export interface RawClient {
  readonly ws: WebSocket
  send(message: unknown): void
  /** The next message the server sent, parsed. */
  waitForMessage(expireMs?: number): Promise<Record<string, unknown>>
  waitForClose(expireMs?: number): Promise<CloseInfo>
}

export async function connectRaw(
  url: string,
  options: { protocol?: string | null; autoPong?: boolean } = {},
): Promise<RawClient> {
  const protocol = options.protocol === null ? [] : (options.protocol ?? 'graphql-transport-ws')
  const ws = new WebSocket(url, protocol, { autoPong: options.autoPong ?? true })
  const messages = createQueue<Record<string, unknown>>('message')
  const closes = createQueue<CloseInfo>('close')
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>))
  ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }))
  ws.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitForMessage: (expireMs) => messages.take(expireMs),
    waitForClose: (expireMs) => closes.take(expireMs),
  }
}

/** A graphql-ws client on the `ws` package; no retries unless asked, so failures surface. */
export function createWsClient(url: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined, ...options })
}

export type Result = FormattedExecutionResult<Record<string, unknown>, unknown>

/** One subscription's results, queued. */
export interface SubscriptionProbe {
  next(expireMs?: number): Promise<Result>
  nothingWithin(expireMs: number): Promise<boolean>
  /** Settles with the error (or undefined on completion) that ended the subscription. */
  readonly ended: Promise<unknown>
  dispose(): void
  readonly received: number
}

export function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): SubscriptionProbe {
  const results = createQueue<Result>('subscription result')
  let received = 0
  let settle: (value: unknown) => void = () => undefined
  const ended = new Promise<unknown>((resolve) => {
    settle = resolve
  })
  const dispose = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (value) => {
        received += 1
        results.push(value)
      },
      error: (error) => settle(error),
      complete: () => settle(undefined),
    },
  )
  return {
    next: (expireMs) => results.take(expireMs),
    nothingWithin: (expireMs) => results.nothingWithin(expireMs),
    ended,
    dispose,
    get received() {
      return received
    },
  }
}

/** A websocket handshake on a bare TCP socket: sees the status line, and whether the server ends the connection. */
export interface RawUpgrade {
  readonly socket: Socket
  /** The status of the server's first answer (101, or the refusal's). */
  readonly status: Promise<number>
  /** Whether the server has ended or dropped the connection. */
  ended(): boolean
}

export function rawUpgrade(wsUrl: string): RawUpgrade {
  const url = new URL(wsUrl)
  const socket = connect(Number(url.port), url.hostname)
  let received = ''
  let ended = false
  socket.on('end', () => (ended = true))
  socket.on('close', () => (ended = true))
  socket.on('error', () => undefined)
  const status = new Promise<number>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (match) resolve(Number(match[1]))
    })
    socket.once('close', () => reject(new Error(`connection closed before a status line: ${JSON.stringify(received.slice(0, 80))}`)))
  })
  status.catch(() => undefined)
  socket.write(
    [
      `GET ${url.pathname} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: graphql-transport-ws',
      '',
      '',
    ].join('\r\n'),
  )
  return { socket, status, ended: () => ended }
}

/**
 * Handshakes until one is refused with `status`, then half-closes it as a
 * lazy client would and waits for the server to end the connection itself:
 * a refused upgrade's socket is the server's to close.
 */
export async function expectRefusedUpgradeClosed(wsUrl: string, status: number, what: string): Promise<void> {
  const refused = await waitFor(
    async () => {
      const attempt = rawUpgrade(wsUrl)
      const answered = await attempt.status.catch(() => 0)
      if (answered !== status) attempt.socket.destroy()
      return answered === status ? attempt : null
    },
    { message: `${what} to be refused with ${status}` },
  )
  refused.socket.end()
  await waitFor(() => refused.ended(), { message: `the server to close the connection of ${what}` })
}
