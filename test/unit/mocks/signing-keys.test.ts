import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSigningKeys, DEFAULT_KEY_GRACE_MS } from '../../../mocks/auth/signing-keys.js'

describe('createSigningKeys', () => {
  it('publishes one ES256 signing key whose kid is its RFC 7638 thumbprint', () => {
    const keys = createSigningKeys()
    const [jwk, ...rest] = keys.published()
    expect(rest).toEqual([])
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: keys.current.kid, alg: 'ES256', use: 'sig' })
    if (jwk === undefined) return
    const thumbprint = createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`).digest('base64url')
    expect(jwk.kid).toBe(thumbprint)
    expect(keys.verificationKey(jwk.kid)).toBe(keys.current.publicKey)
    expect(keys.verificationKey('unknown')).toBeUndefined()
  })

  it('keeps a rotated-out key published and verifying for exactly the grace period', () => {
    let now = 1_000_000
    const keys = createSigningKeys({ keyGraceMs: 5_000, now: () => now })
    const old = keys.current
    const rotation = keys.rotate()
    expect(rotation).toEqual({ kid: keys.current.kid, retiredKid: old.kid, retiredUntil: 1_005_000 })
    expect(keys.current.kid).not.toBe(old.kid)
    expect(keys.published().map((jwk) => jwk.kid)).toEqual([keys.current.kid, old.kid])
    now = 1_004_999
    expect(keys.verificationKey(old.kid)).toBe(old.publicKey)
    now = 1_005_000
    expect(keys.verificationKey(old.kid)).toBeUndefined()
    expect(keys.published().map((jwk) => jwk.kid)).toEqual([keys.current.kid])
  })

  it('lists several retired keys newest first, each dropped at the end of its own grace', () => {
    let now = 0
    const keys = createSigningKeys({ keyGraceMs: 100, now: () => now })
    const first = keys.current.kid
    keys.rotate()
    const second = keys.current.kid
    now = 50
    keys.rotate()
    expect(keys.published().map((jwk) => jwk.kid)).toEqual([keys.current.kid, second, first])
    now = 100
    expect(keys.published().map((jwk) => jwk.kid)).toEqual([keys.current.kid, second])
  })

  it('drops the old key at once with a zero grace, and defaults to ten minutes', () => {
    const keys = createSigningKeys({ keyGraceMs: 0 })
    const old = keys.current.kid
    keys.rotate()
    expect(keys.verificationKey(old)).toBeUndefined()
    expect(DEFAULT_KEY_GRACE_MS).toBe(600_000)
  })

  it.each([-1, 1.5, 86_400_001, Number.NaN])('rejects keyGraceMs %s', (keyGraceMs) => {
    expect(() => createSigningKeys({ keyGraceMs })).toThrow(/keyGraceMs must be an integer/)
  })
})
