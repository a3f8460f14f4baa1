import { describe, expect, it } from 'vitest'
import { decodeEntry, encodeEntry, freshnessOf } from '../../../src/cache/envelope.js'
import { userDto } from '../../../src/downstream/dto.js'
import type { CachePolicy } from '../../../src/cache/ttl-policy.js'

const policy: CachePolicy = { scope: 'PUBLIC', maxAgeMs: 1_000, staleWhileRevalidateMs: 500, staleIfErrorMs: 5_000, negativeTtlMs: 200 }
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

  it('treats unparsable or off-contract entries as absent', () => {
    expect(decodeEntry('not json', userDto)).toBeNull()
    expect(decodeEntry('{"a":1}', userDto)).toBeNull()
    expect(decodeEntry(JSON.stringify([1, 2, { id: 1 }]), userDto)).toBeNull()
  })
})
