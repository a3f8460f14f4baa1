import { describe, expect, it } from 'vitest'
import { createLocalBuckets } from '../../../src/edge/token-bucket.js'

function clocked(capacity: number, refillPerSecond: number) {
  let now = 1_000
  const buckets = createLocalBuckets({ policy: { capacity, refillPerSecond }, maxBuckets: 10, now: () => now })
  return { buckets, advance: (ms: number) => (now += ms) }
}

describe('token bucket', () => {
  it('allows a burst of its capacity, then refuses with the exact wait for the points asked', () => {
    const { buckets } = clocked(100, 10)
    expect(buckets.charge('a', 60)).toEqual({ allowed: true, remaining: 40, waitMs: 0 })
    expect(buckets.charge('a', 40)).toEqual({ allowed: true, remaining: 0, waitMs: 0 })
    // 25 points at 10/s: 2.5 s.
    expect(buckets.charge('a', 25)).toEqual({ allowed: false, remaining: 0, waitMs: 2_500 })
  })

  it('refills continuously and a refused charge takes nothing, so waiting the wait is enough', () => {
    const { buckets, advance } = clocked(100, 10)
    buckets.charge('a', 100)
    advance(1_000)
    const refused = buckets.charge('a', 25)
    expect(refused).toEqual({ allowed: false, remaining: 10, waitMs: 1_500 })
    advance(1_499)
    expect(buckets.charge('a', 25).allowed).toBe(false)
    advance(1)
    const served = buckets.charge('a', 25)
    expect(served.allowed).toBe(true)
    expect(served.remaining).toBeCloseTo(0, 9)
  })

  it('never refills past capacity, ignores a clock going backwards, and keeps callers apart', () => {
    const { buckets, advance } = clocked(100, 10)
    buckets.charge('a', 100)
    expect(buckets.charge('b', 100).allowed).toBe(true)
    advance(60_000)
    expect(buckets.charge('a', 0).remaining).toBe(100)
    advance(-5_000)
    expect(buckets.charge('a', 10).remaining).toBe(90)
  })

  it('refuses a policy that could never refill', () => {
    expect(() => createLocalBuckets({ policy: { capacity: 10, refillPerSecond: 0 }, maxBuckets: 1 })).toThrow(/positive/)
  })
})
