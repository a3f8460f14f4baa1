import { describe, expect, it } from 'vitest'
import { createLatencyReservoir } from '../../../../src/downstream/resilience/latency-reservoir.js'

describe('createLatencyReservoir', () => {
  it('answers null before the first sample', () => {
    expect(createLatencyReservoir(8).percentile(0.5)).toBeNull()
  })

  it('computes nearest-rank percentiles of the samples it holds', () => {
    const reservoir = createLatencyReservoir(100)
    for (let ms = 100; ms >= 1; ms--) reservoir.record(ms)
    expect(reservoir.percentile(0.5)).toBe(50)
    expect(reservoir.percentile(0.99)).toBe(99)
    expect(reservoir.percentile(1)).toBe(100)
    expect(reservoir.percentile(0)).toBe(1)
  })

  it('keeps only the last `capacity` samples (bounded memory)', () => {
    const reservoir = createLatencyReservoir(64)
    for (let i = 0; i < 64; i++) reservoir.record(1_000)
    for (let i = 0; i < 64; i++) reservoir.record(5)
    expect(reservoir.size).toBe(64)
    expect(reservoir.percentile(0.99)).toBe(5)
  })
})
