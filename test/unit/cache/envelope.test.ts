import { describe, expect, it } from 'vitest'
import { decodeEntry, encodeEntry, freshnessOf, sameEntryValue } from '../../../src/cache/envelope.js'
import { userDto } from '../../../src/downstream/dto.js'
import type { CachePolicy } from '../../../src/cache/ttl-policy.js'

const policy: CachePolicy = { scope: 'PUBLIC', maxAgeMs: 1_000, staleWhileRevalidateMs: 500, staleIfErrorMs: 5_000, negativeTtlMs: 200, freshJitter: 0 }
const user = { id: '1', name: 'Ada', handle: 'ada', avatarUrl: 'https://x/a.png', joinedAt: '2020-01-01T00:00:00.000Z' }

describe('cache entry envelope', () => {
  it('stores compact JSON [freshUntil, keepUntil, value] with PX covering the stale windows', () => {
    const { raw, ttlMs } = encodeEntry(user, 10_000, policy)
    expect(raw).toBe(JSON.stringify([11_000, 16_000, user]))
    expect(ttlMs).toBe(6_000)
  })

  it('walks fresh → revalidate → stale → expired', () => {
    const entry = decodeEntry(encodeEntry(user, 0, policy).raw, userDto)
    expect(entry).not.toBeNull()
    if (entry === null) return
    expect([0, 999, 1_000, 1_499, 1_500, 5_999, 6_000].map((t) => freshnessOf(entry, t, policy))).toEqual([
      'fresh', 'fresh', 'revalidate', 'revalidate', 'stale', 'stale', 'expired',
    ])
  })

  it('never serves a negative entry stale', () => {
    const { raw, ttlMs } = encodeEntry(null, 0, policy)
    expect(ttlMs).toBe(200)
    const entry = decodeEntry(raw, userDto)
    expect(entry?.value).toBeNull()
    if (entry !== null) expect([100, 200].map((t) => freshnessOf(entry, t, policy))).toEqual(['fresh', 'expired'])
  })

  it('cuts up to freshJitter of maxAge from the fresh period, at random, and leaves the key life alone', () => {
    const jittered = { ...policy, freshJitter: 0.1 }
    const at = (random: number) => encodeEntry(user, 10_000, jittered, () => random)
    expect(at(0)).toMatchObject({ freshUntil: 11_000, keepUntil: 16_000, ttlMs: 6_000 })
    expect(at(0.5)).toMatchObject({ freshUntil: 10_950, keepUntil: 16_000, ttlMs: 6_000 })
    expect(at(0.999_999)).toMatchObject({ freshUntil: 10_900, keepUntil: 16_000, ttlMs: 6_000 })
    // A cut fresh period means a longer stale window, never an entry served past its life.
    const entry = decodeEntry(at(0.999_999).raw, userDto)
    if (entry !== null) expect([10_899, 10_900, 15_999, 16_000].map((t) => freshnessOf(entry, t, jittered))).toEqual(['fresh', 'revalidate', 'stale', 'expired'])
  })

  it('spreads entries written in the same millisecond over the jitter window', () => {
    const deadlines = Array.from({ length: 200 }, () => encodeEntry(user, 0, { ...policy, freshJitter: 0.1 }).freshUntil)
    expect(Math.min(...deadlines)).toBeGreaterThanOrEqual(900)
    expect(Math.max(...deadlines)).toBeLessThanOrEqual(1_000)
    // 200 draws from 101 possible deadlines: a constant (unjittered) result has 1 distinct value.
    expect(new Set(deadlines).size).toBeGreaterThan(40)
  })

  it('treats unparsable or off-contract entries as absent', () => {
    expect(decodeEntry('not json', userDto)).toBeNull()
    expect(decodeEntry('{"a":1}', userDto)).toBeNull()
    expect(decodeEntry(JSON.stringify([1, 2, { id: 1 }]), userDto)).toBeNull()
  })

  it('tells entries holding the same value apart from others, whatever their deadlines', () => {
    const written = encodeEntry(user, 10_000, policy).raw
    const refetched = encodeEntry({ ...user }, 123_456_789, { ...policy, maxAgeMs: 77 }).raw
    expect(sameEntryValue(written, refetched)).toBe(true)
    expect(sameEntryValue(written, encodeEntry({ ...user, name: 'Ada L' }, 10_000, policy).raw)).toBe(false)
    // Same length, one character apart.
    expect(sameEntryValue(written, encodeEntry({ ...user, name: 'Adb' }, 10_000, policy).raw)).toBe(false)
    expect(sameEntryValue(encodeEntry(null, 10_000, policy).raw, encodeEntry(null, 20_000, policy).raw)).toBe(true)
    expect(sameEntryValue(written, encodeEntry(null, 10_000, policy).raw)).toBe(false)
    expect(sameEntryValue('not an entry', written)).toBe(false)
  })
})
