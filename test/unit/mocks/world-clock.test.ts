import { describe, expect, it } from 'vitest'
import { createPrng } from '../../../mocks/world/prng.js'
import { isoFromMs, orderByTime, pickDistinctInts, WORLD_NOW_MS } from '../../../mocks/world/world-clock.js'

describe('isoFromMs', () => {
  it('matches Date#toISOString for whole seconds', () => {
    const prng = createPrng(7)
    const samples = [0, Date.UTC(2000, 1, 29, 23, 59, 59), Date.UTC(2024, 11, 31, 0, 0, 0), WORLD_NOW_MS]
    for (let i = 0; i < 2_000; i++) samples.push(prng.int(0, 4_102_444_800) * 1_000)
    for (const ms of samples) expect(isoFromMs(ms)).toBe(new Date(ms).toISOString())
  })
})

describe('orderByTime', () => {
  it('sorts ascending and keeps ties in input order', () => {
    expect([...orderByTime([3_000, 1_000, 3_000, 2_000, 1_000])]).toEqual([1, 4, 3, 0, 2])
  })
})

describe('pickDistinctInts', () => {
  it('never repeats, never picks the excluded value, and stops at what is available', () => {
    const prng = createPrng(1)
    const picked = pickDistinctInts(prng, 10, 1, 5, 3)
    expect(new Set(picked)).toEqual(new Set([1, 2, 4, 5]))
  })
})
