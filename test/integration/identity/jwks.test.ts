import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, type Stack } from '../../helpers/stack.js'
import { bearer, startAuthStack, tokenFor } from './identity-stack.js'

const ME = '{ me { id } }'
const JWKS_ROUTE = 'GET /.well-known/jwks.json'

describe('the provider\'s keys: rotation and outages', () => {
  const leftovers: Stack[] = []
  afterEach(async () => {
    await Promise.all(leftovers.splice(0).map((stack) => stack.close()))
  })
  async function start(env: Record<string, string> = {}): Promise<Stack> {
    // No verified-token cache here: each request must reach the key set.
    const stack = await startAuthStack({ env: { AUTH_TOKEN_CACHE_ENTRIES: '0', ...env } })
    leftovers.push(stack)
    return stack
  }
  const jwksFetches = async (stack: Stack): Promise<number> => (await mockStats(stack.mocks.auth.url)).byRoute[JWKS_ROUTE] ?? 0
  async function rotate(stack: Stack): Promise<void> {
    const response = await request(`${stack.mocks.auth.url}/__admin/rotate-keys`, { method: 'POST' })
    await response.body.dump()
    expect(response.statusCode).toBe(200)
  }
  const meWith = async (stack: Stack, token: string) => gql(stack, ME, undefined, { headers: bearer(token) })

  it('picks up a rotated key without a restart, and keeps verifying tokens of the retired key in its grace', async () => {
    const stack = await start({ AUTH_JWKS_COOLDOWN_MS: '0' })
    const before = await tokenFor(stack.mocks, { sub: '1' })
    expect((await meWith(stack, before)).body).toEqual({ data: { me: { id: '1' } } })
    expect(await jwksFetches(stack)).toBe(1)
    await rotate(stack)
    const after = await tokenFor(stack.mocks, { sub: '2' })
    expect((await meWith(stack, after)).body).toEqual({ data: { me: { id: '2' } } })
    // One more fetch, prompted by the unknown kid.
    expect(await jwksFetches(stack)).toBe(2)
    expect((await meWith(stack, before)).status).toBe(200)
    expect(await jwksFetches(stack)).toBe(2)
  })

  it('an unknown kid within the cooldown does not make the BFF fetch again (401)', async () => {
    const stack = await start({ AUTH_JWKS_COOLDOWN_MS: '600000' })
    expect((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status).toBe(200)
    await rotate(stack)
    expect((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status).toBe(401)
    expect(await jwksFetches(stack)).toBe(1)
  })

  it('keys past their max age keep verifying while the provider is down (the refetch fails, the held keys serve)', async () => {
    const stack = await start({ AUTH_JWKS_MAX_AGE_MS: '1000', AUTH_JWKS_TIMEOUT_MS: '500' })
    expect((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status).toBe(200)
    await setFaults(stack.mocks.auth.url, { errorRate: 1, errorStatus: 503 })
    const statuses = new Set<number>()
    // Until the keys have gone stale and a refetch was tried (and failed), every request must still pass.
    await expect
      .poll(
        async () => {
          statuses.add((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status)
          return jwksFetches(stack)
        },
        { timeout: 5_000, interval: 100 },
      )
      .toBeGreaterThan(1)
    expect((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status).toBe(200)
    expect([...statuses]).toEqual([200])
  })

  it.each([
    ['answering 503', { errorRate: 1, errorStatus: 503 }],
    ['hanging', { hangRate: 1 }],
  ])('with the JWKS endpoint %s: known keys keep verifying, a new kid gets 401 within the fetch time limit', async (_label, faults) => {
    const stack = await start({ AUTH_JWKS_COOLDOWN_MS: '0', AUTH_JWKS_TIMEOUT_MS: '500' })
    expect((await meWith(stack, await tokenFor(stack.mocks, { sub: '1' }))).status).toBe(200)
    await setFaults(stack.mocks.auth.url, faults)
    // A fresh token under the cached kid: no fetch needed.
    const known = await meWith(stack, await tokenFor(stack.mocks, { sub: '2' }))
    expect(known.body).toEqual({ data: { me: { id: '2' } } })
    await rotate(stack)
    const startedAt = Date.now()
    const unknown = await meWith(stack, await tokenFor(stack.mocks, { sub: '2' }))
    expect(unknown.status).toBe(401)
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    expect(Date.now() - startedAt).toBeLessThan(3_000)
  })
})
