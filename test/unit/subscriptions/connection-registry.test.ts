import { EventEmitter } from 'node:events'
import Fastify from 'fastify'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WebSocket } from 'ws'
import { createConnectionRegistry } from '../../../src/subscriptions/connection-registry.js'
import { createSubscriptionStats } from '../../../src/subscriptions/subscription-stats.js'

/** Just the socket surface the registry uses; a peer answers pings unless told not to. */
class FakeSocket extends EventEmitter {
  pings = 0
  closedWith: { code: number; reason: string } | null = null
  terminated = false
  constructor(private readonly answersPings = true) {
    super()
  }
  ping(): void {
    this.pings += 1
    if (this.answersPings) queueMicrotask(() => this.emit('pong'))
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason }
    queueMicrotask(() => this.emit('close', code, Buffer.from(reason)))
  }
  terminate(): void {
    this.terminated = true
    queueMicrotask(() => this.emit('close', 1006, Buffer.alloc(0)))
  }
}

// The registry only touches ping/close/terminate and the pong/close events, which FakeSocket has.
const asWs = (socket: FakeSocket): WebSocket => socket as unknown as WebSocket

function registry(maxConnections = 10, keepAliveMs = 1_000) {
  const stats = createSubscriptionStats()
  const log = Fastify({ logger: false }).log
  return { stats, registry: createConnectionRegistry({ maxConnections, keepAliveMs, stats, log }) }
}

describe('connection registry', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('pings every period and terminates a peer that missed the previous ping', async () => {
    const { registry: connections } = registry()
    const answering = new FakeSocket()
    const silent = new FakeSocket(false)
    connections.admit(asWs(answering))
    connections.admit(asWs(silent))
    await vi.advanceTimersByTimeAsync(1_000)
    expect([answering.pings, silent.pings]).toEqual([1, 1])
    expect(silent.terminated).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(silent.terminated).toBe(true)
    expect(answering.terminated).toBe(false)
    expect(connections.size).toBe(1)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(answering.terminated).toBe(false)
  })

  it('keepAliveMs 0 sends no pings at all', async () => {
    const { registry: connections } = registry(10, 0)
    const socket = new FakeSocket(false)
    expect(connections.admit(asWs(socket))).toBe(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect([socket.pings, socket.terminated]).toEqual([0, false])
  })

  it('refuses connections over the cap with 1013 and counts them', () => {
    const { registry: connections, stats } = registry(1)
    expect(connections.admit(asWs(new FakeSocket()))).toBe(true)
    const extra = new FakeSocket()
    expect(connections.admit(asWs(extra))).toBe(false)
    expect(extra.closedWith?.code).toBe(1013)
    expect(stats.snapshot()).toMatchObject({ connections: 1, connectionsRefused: 1 })
  })

  it('closeAll closes with the code, waits for handshakes, then terminates the rest', async () => {
    const { registry: connections } = registry()
    const polite = new FakeSocket()
    const stuck = new FakeSocket()
    stuck.close = (code: number, reason: string) => {
      stuck.closedWith = { code, reason }
    }
    connections.admit(asWs(polite))
    connections.admit(asWs(stuck))
    const done = connections.closeAll(1012, 'restarting', 500)
    await vi.advanceTimersByTimeAsync(500)
    await done
    expect(polite.closedWith?.code).toBe(1012)
    expect(polite.terminated).toBe(false)
    expect(stuck.closedWith?.code).toBe(1012)
    expect(stuck.terminated).toBe(true)
    const late = new FakeSocket()
    expect(connections.admit(asWs(late))).toBe(false)
    expect(late.closedWith?.code).toBe(1012)
  })
})
