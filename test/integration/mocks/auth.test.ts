import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { requestToken } from '../../../mocks/auth/token-client.js'
import type { RunningMocks, StartMocksOptions } from '../../../mocks/start-mocks.js'
import { createWorld } from '../../../mocks/world/create-world.js'
import { waitFor } from '../../helpers/wait-for.js'
import { call, get, post, startTestMocks } from './mock-client.js'

describe('auth mock (identity provider)', () => {
  // Nothing here touches the world; one saves building it per test.
  const world = createWorld()
  const leftovers: RunningMocks[] = []
  afterEach(async () => {
    await Promise.all(leftovers.splice(0).map((mocks) => mocks.close()))
  })

  async function start(options: StartMocksOptions = {}): Promise<RunningMocks> {
    const mocks = await startTestMocks({ world, ...options })
    leftovers.push(mocks)
    return mocks
  }

  /** A fresh remote key set per call, so nothing cached from an earlier fetch hides what the JWKS says now. */
  const verify = (mocks: RunningMocks, token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(mocks.auth.jwksUrl)), { issuer: mocks.auth.url, audience: 'reactive-bff', algorithms: ['ES256'] })

  const publishedKids = async (mocks: RunningMocks): Promise<string[]> =>
    (await get(mocks.auth.jwksUrl)).body.keys.map((key: { kid: string }) => key.kid)

  it('serves discovery with its own bound URL as issuer, and public ES256 keys only', async () => {
    const mocks = await start()
    expect(mocks.auth.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(Object.values(mocks.urls)).not.toContain(mocks.auth.url)
    const discovery = await get(`${mocks.auth.url}/.well-known/openid-configuration`)
    expect(discovery.status).toBe(200)
    expect(discovery.body).toEqual({ issuer: mocks.auth.url, jwks_uri: `${mocks.auth.url}/.well-known/jwks.json`, token_endpoint: `${mocks.auth.url}/token` })
    const jwks = await get(discovery.body.jwks_uri)
    expect(jwks.status).toBe(200)
    expect(jwks.body).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: mocks.auth.keys.current.kid, alg: 'ES256', use: 'sig' }],
    })
  })

  it('mints a token that verifies against the JWKS URL, with exactly the promised claims and header', async () => {
    const mocks = await start()
    const answer = await call('POST', `${mocks.auth.url}/token`, { body: { sub: '42', scope: 'admin', ttlSeconds: 600 } })
    expect(answer.status).toBe(200)
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600 })
    const { payload, protectedHeader } = await verify(mocks, answer.body.access_token)
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: mocks.auth.keys.current.kid })
    expect(payload).toEqual({ iss: mocks.auth.url, sub: '42', aud: 'reactive-bff', iat: expect.any(Number), exp: payload.iat! + 600, scope: 'admin' })
    expect(Math.abs(payload.iat! - Date.now() / 1_000)).toBeLessThan(60)

    const plain = await requestToken(mocks.auth.url, { sub: '1' })
    expect(plain.expires_in).toBe(3_600)
    const { payload: defaults } = await verify(mocks, plain.access_token)
    expect(defaults).toMatchObject({ sub: '1', scope: '' })
    expect(defaults.exp! - defaults.iat!).toBe(3_600)
  })

  it.each([
    [{}, /sub/],
    [{ sub: '' }, /sub/],
    [{ sub: '1', ttlSeconds: 0 }, /ttlSeconds/],
    [{ sub: '1', ttlSeconds: 100_000 }, /ttlSeconds/],
    [{ sub: '1', scope: ['admin'] }, /scope/],
    [{ sub: '1', password: 'hunter2' }, /unknown field "password"/],
    ['{"sub":', /not valid JSON/],
  ])('POST /token with %j answers a JSON 400', async (body, message) => {
    const mocks = await start()
    const answer = await call('POST', `${mocks.auth.url}/token`, { body })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ error: 'bad_request', message: expect.stringMatching(message) })
  })

  it.each([
    ['a foreign issuer', { issuer: 'http://evil.example' }, errors.JWTClaimValidationFailed, 'iss'],
    ['another audience', { audience: 'someone-else' }, errors.JWTClaimValidationFailed, 'aud'],
    ['nbf in the future', { notBeforeSeconds: 3_600 }, errors.JWTClaimValidationFailed, 'nbf'],
    ['exp in the past', { expiresAt: Math.floor(Date.now() / 1_000) - 60 }, errors.JWTExpired, 'exp'],
  ])('test overrides mint deliberately invalid tokens: %s', async (_kind, testOverrides, ErrorClass, claim) => {
    const mocks = await start()
    const { access_token: token } = await requestToken(mocks.auth.url, { sub: '1', testOverrides })
    const failure = await verify(mocks, token).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ErrorClass)
    expect(failure).toMatchObject({ claim })
  })

  it('test overrides: an expired token says so in expires_in; a forged one carries the real kid but fails its signature', async () => {
    const mocks = await start()
    const expired = await requestToken(mocks.auth.url, { sub: '1', testOverrides: { expiresAt: Math.floor(Date.now() / 1_000) - 60 } })
    expect(expired.expires_in).toBeLessThan(0)
    const forged = await requestToken(mocks.auth.url, { sub: '1', testOverrides: { forgeSignature: true } })
    expect(decodeProtectedHeader(forged.access_token).kid).toBe(mocks.auth.keys.current.kid)
    await expect(verify(mocks, forged.access_token)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed)
  })

  it('rotate-keys signs new tokens with a new key, publishes the old one for the grace period, then drops it', async () => {
    let now = Date.now()
    const mocks = await start({ auth: { keyGraceMs: 60_000, now: () => now } })
    const before = await requestToken(mocks.auth.url, { sub: '1' })
    const oldKid = decodeProtectedHeader(before.access_token).kid

    const rotation = await post(`${mocks.auth.url}/__admin/rotate-keys`)
    expect(rotation.status).toBe(200)
    expect(rotation.body).toEqual({ kid: expect.any(String), retiredKid: oldKid, retiredUntil: new Date(now + 60_000).toISOString() })
    const newKid: string = rotation.body.kid
    expect(newKid).not.toBe(oldKid)
    const after = await requestToken(mocks.auth.url, { sub: '1' })
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid)

    // Within the grace period both keys are published and both tokens verify.
    now += 59_999
    expect(await publishedKids(mocks)).toEqual([newKid, oldKid])
    await expect(verify(mocks, before.access_token)).resolves.toBeDefined()
    await expect(verify(mocks, after.access_token)).resolves.toBeDefined()

    now += 1
    expect(await publishedKids(mocks)).toEqual([newKid])
    await expect(verify(mocks, before.access_token)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    await expect(verify(mocks, after.access_token)).resolves.toBeDefined()
  })

  it('counts JWKS fetches and token requests per route; admin routes are not counted and reset clears', async () => {
    const mocks = await start()
    await get(mocks.auth.jwksUrl)
    await get(mocks.auth.jwksUrl)
    await requestToken(mocks.auth.url, { sub: '1' })
    await post(`${mocks.auth.url}/__admin/rotate-keys`)
    const stats = (await get(`${mocks.auth.url}/__admin/stats`)).body
    expect(stats).toEqual({ requests: 3, byRoute: { 'GET /.well-known/jwks.json': 2, 'POST /token': 1 }, inFlight: 0 })
    await post(`${mocks.auth.url}/__admin/reset`)
    expect((await get(`${mocks.auth.url}/__admin/stats`)).body.requests).toBe(0)
  })

  it('faults take the JWKS and discovery down while /token keeps minting', async () => {
    const mocks = await start()
    await post(`${mocks.auth.url}/__admin/faults`, { errorRate: 1, errorStatus: 503 })
    expect((await get(mocks.auth.jwksUrl)).status).toBe(503)
    expect((await get(`${mocks.auth.url}/.well-known/openid-configuration`)).status).toBe(503)
    const { access_token: token } = await requestToken(mocks.auth.url, { sub: '1' })
    await expect(verify(mocks, token)).rejects.toBeInstanceOf(errors.JOSEError)
    await post(`${mocks.auth.url}/__admin/reset`)
    await expect(verify(mocks, token)).resolves.toBeDefined()
  })

  it('hangRate 1 holds JWKS requests until the client gives up', async () => {
    const mocks = await start()
    await post(`${mocks.auth.url}/__admin/faults`, { hangRate: 1 })
    const { access_token: token } = await requestToken(mocks.auth.url, { sub: '1' })
    const jwks = createRemoteJWKSet(new URL(mocks.auth.jwksUrl), { timeoutDuration: 200 })
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWKSTimeout)
    await waitFor(async () => (await get(`${mocks.auth.url}/__admin/stats`)).body.inFlight === 0, { message: 'the hung JWKS request to be dropped' })
  })
})
