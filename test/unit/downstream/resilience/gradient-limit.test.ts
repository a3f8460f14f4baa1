import { describe, expect, it } from 'vitest'
import { createBulkhead } from '../../../../src/downstream/resilience/bulkhead.js'
import { createGradientLimit, type GradientLimitOptions } from '../../../../src/downstream/resilience/gradient-limit.js'

/** A limit on a hand-driven clock, and a way to feed it windows of equal samples. */
function driven(options: GradientLimitOptions = {}) {
  let clock = 0
  const limit = createGradientLimit({ windowMs: 100, windowSamples: 10, ...options, now: () => clock })
  /** One window: `count` calls of `rttMs`, sent with `inFlight` calls out (default: the whole limit used). */
  const window = (rttMs: number, inFlight = limit.current, count = 10) => {
    clock += 100
    for (let i = 0; i < count; i++) limit.sample(rttMs, inFlight)
  }
  return { limit, window, advance: (ms: number) => (clock += ms) }
}

describe('gradient limit', () => {
  it('starts at the maximum by default, and holds it while latency stays normal and the calls use it', () => {
    const { limit, window } = driven({ minLimit: 5, maxLimit: 64 })
    expect(limit.current).toBe(64)
    for (let i = 0; i < 50; i++) window(1 + (i % 3) * 0.2)
    expect(limit.current).toBe(64)
  })

  it('grows under normal latency while the calls use at least half the limit, up to the maximum and not past it', () => {
    const { limit, window } = driven({ minLimit: 5, initialLimit: 10, maxLimit: 40 })
    window(1)
    const afterOne = limit.current
    for (let i = 0; i < 5; i++) window(1)
    expect(limit.current).toBeGreaterThan(afterOne)
    for (let i = 0; i < 500; i++) window(1)
    expect(limit.current).toBe(40)
  })

  it('does not grow while the calls use less than half of it (nothing learned about the service)', () => {
    const { limit, window } = driven({ minLimit: 5, initialLimit: 20, maxLimit: 64 })
    for (let i = 0; i < 100; i++) window(1, 9)
    expect(limit.current).toBe(20)
    window(1, 11)
    window(1, 11)
    expect(limit.current).toBeGreaterThan(20)
  })

  it('shrinks when latency rises past the tolerance, down to the minimum and not below', () => {
    const { limit, window } = driven({ minLimit: 8, maxLimit: 64 })
    for (let i = 0; i < 20; i++) window(1)
    window(500)
    const afterOne = limit.current
    expect(afterOne).toBeLessThan(64)
    // At most a tenth per window: one slow window cannot empty the limit.
    expect(afterOne).toBeGreaterThanOrEqual(Math.floor(64 * 0.9))
    for (let i = 0; i < 40; i++) window(500)
    expect(limit.current).toBe(8)
  })

  it('tolerates latency within the tolerance (1.4x of the long-run average at 1.5)', () => {
    const { limit, window } = driven({ minLimit: 8, maxLimit: 64 })
    for (let i = 0; i < 20; i++) window(1)
    for (let i = 0; i < 5; i++) window(1.4)
    expect(limit.current).toBe(64)
  })

  it('moves once per window, however many late samples a pause returns at once', () => {
    const { limit, window } = driven({ minLimit: 8, maxLimit: 64 })
    for (let i = 0; i < 20; i++) window(1)
    // 60 calls held up together by one pause, all within the same 100 ms.
    window(30, 64, 60)
    expect(limit.current).toBeGreaterThanOrEqual(Math.floor(64 * 0.9))
  })

  it('waits for both the window time and the sample count before moving', () => {
    const { limit, window, advance } = driven({ minLimit: 8, maxLimit: 64 })
    for (let i = 0; i < 20; i++) window(1)
    advance(100)
    for (let i = 0; i < 9; i++) limit.sample(500, 64)
    expect(limit.current).toBe(64)
    limit.sample(500, 64)
    expect(limit.current).toBeLessThan(64)
    const now = limit.current
    for (let i = 0; i < 50; i++) limit.sample(500, 64)
    // No time passed: still the same window.
    expect(limit.current).toBe(now)
  })

  it('recovers after the service is fast again', () => {
    const { limit, window } = driven({ minLimit: 8, maxLimit: 64 })
    for (let i = 0; i < 20; i++) window(1)
    for (let i = 0; i < 40; i++) window(500)
    expect(limit.current).toBe(8)
    for (let i = 0; i < 200; i++) window(1)
    expect(limit.current).toBe(64)
  })

  it('refuses bounds that cannot hold, naming the option', () => {
    expect(() => createGradientLimit({ minLimit: 0 })).toThrow(/minLimit/)
    expect(() => createGradientLimit({ minLimit: 10, maxLimit: 9 })).toThrow(/maxLimit/)
    expect(() => createGradientLimit({ minLimit: 10, maxLimit: 20, initialLimit: 21 })).toThrow(/initialLimit/)
    expect(() => createGradientLimit({ tolerance: 0.9 })).toThrow(/tolerance/)
  })
})

describe('bulkhead with an adaptive limit', () => {
  it('admits up to the current limit, learns from measured releases only, and queues beyond a shrunk limit', () => {
    let clock = 0
    const now = () => clock
    const limit = createGradientLimit({ minLimit: 2, maxLimit: 16, windowMs: 0, windowSamples: 1, now })
    const bulkhead = createBulkhead({ limit, now, queueSize: 10, rejection: () => new Error('full') })
    const noop = () => {}
    const sixteen = () => Array.from({ length: 16 }, () => bulkhead.enter(noop))
    // Learn a 1 ms baseline.
    for (let i = 0; i < 4; i++) {
      const entries = sixteen()
      clock += 1
      for (const entry of entries) entry?.release(true)
    }
    expect(bulkhead.limit).toBe(16)
    const slow = sixteen()
    expect(slow.every((entry) => entry?.running === true)).toBe(true)
    const waiting = bulkhead.enter(noop)
    expect(waiting?.running).toBe(false)
    clock += 500
    // Unmeasured releases (aborts, calls cut by the deadline) teach nothing.
    slow[0]?.release(false)
    expect(bulkhead.limit).toBe(16)
    // The freed slot went to the waiting call.
    expect(waiting?.running).toBe(true)
    for (const entry of slow.slice(1)) entry?.release(true)
    expect(bulkhead.limit).toBeLessThanOrEqual(12)
    expect(bulkhead.inFlight).toBe(1)
    // Past the shrunk limit, calls queue again.
    const admitted = Array.from({ length: bulkhead.limit }, () => bulkhead.enter(noop))
    expect(admitted.filter((entry) => entry?.running === true)).toHaveLength(bulkhead.limit - 1)
  })
})
