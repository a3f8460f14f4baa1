import { describe, expect, it } from 'vitest'
import { parseTokenRequest } from '../../../mocks/auth/token-request.js'
import { MockHttpError } from '../../../mocks/services/http-errors.js'

describe('parseTokenRequest', () => {
  it('fills in the defaults: no scope, one hour, no test overrides', () => {
    expect(parseTokenRequest({ sub: '1' })).toEqual({ sub: '1', scope: '', ttlSeconds: 3_600, testOverrides: {} })
  })

  it('normalises the scope to single spaces', () => {
    expect(parseTokenRequest({ sub: '7', scope: ' admin  orders:read ', ttlSeconds: 60 })).toMatchObject({ scope: 'admin orders:read', ttlSeconds: 60 })
  })

  it('accepts the test overrides', () => {
    const overrides = { issuer: 'http://evil.example', audience: 'someone-else', notBeforeSeconds: 600, expiresAt: 1_000, forgeSignature: true }
    expect(parseTokenRequest({ sub: '1', testOverrides: overrides }).testOverrides).toEqual(overrides)
  })

  it.each([
    [null, /body must be a JSON object/],
    [{}, /sub must be a non-empty string/],
    [{ sub: '' }, /sub must be a non-empty string/],
    [{ sub: '   ' }, /sub must be a non-empty string/],
    [{ sub: 1 }, /sub must be a non-empty string/],
    [{ sub: 'x'.repeat(256) }, /sub must be a non-empty string/],
    [{ sub: '1', ttlSeconds: 0 }, /ttlSeconds must be an integer in 1\.\.86400/],
    [{ sub: '1', ttlSeconds: -60 }, /ttlSeconds/],
    [{ sub: '1', ttlSeconds: 1.5 }, /ttlSeconds/],
    [{ sub: '1', ttlSeconds: '60' }, /ttlSeconds/],
    [{ sub: '1', ttlSeconds: 86_401 }, /ttlSeconds/],
    [{ sub: '1', scope: 7 }, /scope must be a string/],
    [{ sub: '1', scope: 'ad"min' }, /scope must be space-separated scope tokens/],
    [{ sub: '1', scope: 'a\tb' }, /scope tokens/],
    [{ sub: '1', password: 'x' }, /unknown field "password"/],
    [{ sub: '1', testOverrides: { kid: 'x' } }, /unknown field "kid"/],
    [{ sub: '1', testOverrides: { issuer: '' } }, /testOverrides.issuer/],
    [{ sub: '1', testOverrides: { notBeforeSeconds: 0.5 } }, /testOverrides.notBeforeSeconds/],
    [{ sub: '1', testOverrides: { expiresAt: -1 } }, /testOverrides.expiresAt/],
    [{ sub: '1', testOverrides: { forgeSignature: 'yes' } }, /testOverrides.forgeSignature/],
  ])('rejects %j with a 400', (body, message) => {
    let thrown: unknown
    try {
      parseTokenRequest(body)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(MockHttpError)
    expect(thrown).toMatchObject({ statusCode: 400, error: 'bad_request', message: expect.stringMatching(message) })
  })
})
