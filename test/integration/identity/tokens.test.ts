import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../../helpers/stack.js'
import { gql } from '../../helpers/stack.js'
import { bearer, hmacWithPublicKey, startAuthStack, tokenFor, unsignedToken } from './identity-stack.js'

const PUBLIC = '{ product(id: "1") { id name } }'

describe('bearer tokens over HTTP, against the real identity provider', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startAuthStack()
  })
  afterAll(() => stack?.close())

  it('serves public data to a caller with no token (anonymous)', async () => {
    const answer = await gql(stack, PUBLIC)
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ data: { product: { id: '1', name: expect.any(String) } } })
  })

  it('serves a caller with a valid token', async () => {
    const token = await tokenFor(stack.mocks, { sub: '1' })
    const answer = await gql(stack, PUBLIC, undefined, { headers: bearer(token) })
    expect(answer.status).toBe(200)
    expect(answer.body.errors).toBeUndefined()
  })

  const now = (): number => Math.floor(Date.now() / 1_000)
  const invalid: readonly (readonly [string, (s: Stack) => Promise<string>])[] = [
    ['a bad signature', (s) => tokenFor(s.mocks, { sub: '1', testOverrides: { forgeSignature: true } })],
    ['alg none', async (s) => unsignedToken(s.mocks, '1')],
    ['HMAC signed with the public key', (s) => hmacWithPublicKey(s.mocks, '1')],
    ['a foreign issuer', (s) => tokenFor(s.mocks, { sub: '1', testOverrides: { issuer: 'https://evil.example.com' } })],
    ['another audience', (s) => tokenFor(s.mocks, { sub: '1', testOverrides: { audience: 'some-other-api' } })],
    // Past the 5 s clock tolerance (just inside it is accepted: the next test).
    ['an expired token', (s) => tokenFor(s.mocks, { sub: '1', testOverrides: { expiresAt: now() - 30 } })],
    ['nbf in the future', (s) => tokenFor(s.mocks, { sub: '1', testOverrides: { notBeforeSeconds: 60 } })],
    ['a malformed token', async () => 'not.a.jwt'],
    ['a token that is not base64url', async () => 'a.b.c'],
  ]

  it.each(invalid)('refuses %s with 401, a Bearer invalid_token challenge and UNAUTHENTICATED', async (_label, make) => {
    const answer = await gql(stack, PUBLIC, undefined, { headers: bearer(await make(stack)) })
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect(answer.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] })
  })

  it('accepts a token just inside the clock tolerance and refuses one just outside', async () => {
    const inside = await tokenFor(stack.mocks, { sub: '1', testOverrides: { expiresAt: now() - 2 } })
    expect((await gql(stack, PUBLIC, undefined, { headers: bearer(inside) })).status).toBe(200)
    const outside = await tokenFor(stack.mocks, { sub: '1', testOverrides: { expiresAt: now() - 8 } })
    expect((await gql(stack, PUBLIC, undefined, { headers: bearer(outside) })).status).toBe(401)
  })

  it('refuses an Authorization header that is not a bearer token, rather than reading it as anonymous', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
      const answer = await gql(stack, PUBLIC, undefined, { headers: { authorization: header } })
      expect([header, answer.status]).toEqual([header, 401])
    }
  })

  it('never reads a token from the query string', async () => {
    const token = await tokenFor(stack.mocks, { sub: '1' })
    const url = `${stack.bffUrl}/graphql?query=${encodeURIComponent('{ me { id } }')}&access_token=${token}`
    const response = await fetch(url, { headers: { accept: 'application/json' } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: { me: null } })
  })
})
