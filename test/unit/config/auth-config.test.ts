import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'

const PROVIDER = { AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json', AUTH_ISSUER: 'https://id.example.com/' }

describe('auth configuration', () => {
  it('refuses to start open by accident: no provider and no AUTH_DISABLED=true', () => {
    expect(() => loadConfig({})).toThrow(expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringMatching(/AUTH_JWKS_URL and AUTH_ISSUER.*AUTH_DISABLED=true/) }))
    expect(() => loadConfig({ AUTH_DISABLED: 'false', AUTH_JWKS_URL: PROVIDER.AUTH_JWKS_URL })).toThrow(/AUTH_ISSUER must be set/)
    expect(() => loadConfig({ AUTH_ISSUER: PROVIDER.AUTH_ISSUER })).toThrow(/AUTH_JWKS_URL must be set/)
  })

  it('runs unverified only when told so explicitly', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).auth).toEqual({ disabled: true, devTokenUrl: null })
  })

  it('defaults the audience, the algorithms and the JWKS limits', () => {
    expect(loadConfig(PROVIDER).auth).toEqual({
      disabled: false,
      devTokenUrl: null,
      jwksUrl: PROVIDER.AUTH_JWKS_URL,
      issuer: PROVIDER.AUTH_ISSUER,
      audience: 'reactive-bff',
      algorithms: ['ES256', 'RS256'],
      clockToleranceS: 5,
      jwksTimeoutMs: 2_000,
      jwksCooldownMs: 30_000,
      jwksMaxAgeMs: 600_000,
      tokenCacheEntries: 10_000,
    })
  })

  it('accepts asymmetric algorithms only', () => {
    expect(loadConfig({ ...PROVIDER, AUTH_ALGORITHMS: 'ES256, PS256' }).auth).toMatchObject({ algorithms: ['ES256', 'PS256'] })
    for (const alg of ['HS256', 'none', 'ES256,HS512']) {
      expect(() => loadConfig({ ...PROVIDER, AUTH_ALGORITHMS: alg })).toThrow(expect.objectContaining({ message: expect.stringContaining('AUTH_ALGORITHMS') }))
    }
  })

  it('bounds the clock tolerance and the JWKS timeout', () => {
    expect(loadConfig({ ...PROVIDER, AUTH_CLOCK_TOLERANCE_S: '300' }).auth).toMatchObject({ clockToleranceS: 300 })
    expect(() => loadConfig({ ...PROVIDER, AUTH_CLOCK_TOLERANCE_S: '301' })).toThrow(/AUTH_CLOCK_TOLERANCE_S/)
    expect(() => loadConfig({ ...PROVIDER, AUTH_JWKS_TIMEOUT_MS: '99' })).toThrow(/AUTH_JWKS_TIMEOUT_MS/)
  })
})
