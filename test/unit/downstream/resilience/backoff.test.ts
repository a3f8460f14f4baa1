import { describe, expect, it } from 'vitest'
import { fullJitterDelayMs } from '../../../../src/downstream/resilience/backoff.js'

const options = { baseMs: 25, capMs: 250 }

describe('fullJitterDelayMs', () => {
  it('draws from [0, min(cap, base * 2^n)) for the n-th retry', () => {
    const ceilings = [25, 50, 100, 200, 250, 250]
    ceilings.forEach((ceiling, n) => {
      expect(fullJitterDelayMs(n, options, () => 0)).toBe(0)
      expect(fullJitterDelayMs(n, options, () => 0.5)).toBe(ceiling / 2)
      // random() < 1, so the ceiling itself is never reached.
      expect(fullJitterDelayMs(n, options, () => 0.999_999)).toBeLessThan(ceiling)
      expect(fullJitterDelayMs(n, options, () => 0.999_999)).toBeGreaterThan(ceiling * 0.99)
    })
  })

  it('stays within bounds with the real random source', () => {
    for (let i = 0; i < 1_000; i++) {
      const delay = fullJitterDelayMs(i % 8, options)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(Math.min(250, 25 * 2 ** (i % 8)))
    }
  })
})
