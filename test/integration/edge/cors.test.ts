import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'
import { startStack, type Stack } from '../../helpers/stack.js'

const ALLOWED = 'https://app.example'

async function preflight(stack: Stack, origin: string, headers = 'content-type, authorization') {
  const response = await request(`${stack.bffUrl}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  })
  await response.body.dump()
  return response
}

describe('CORS with an allow-list', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: `${ALLOWED}, https://admin.example` })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('a preflight from an allowed origin is answered with that origin, POST and the headers a GraphQL client sends', async () => {
    const response = await preflight(stack, ALLOWED)
    expect(response.statusCode).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED)
    expect(String(response.headers['access-control-allow-methods'])).toContain('POST')
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/content-type.*authorization|authorization.*content-type/)
    expect(response.headers['access-control-allow-credentials']).toBeUndefined()
    expect(String(response.headers['vary'])).toMatch(/origin/i)
  })

  it('a preflight from any other origin gets no Access-Control-Allow-Origin: its browser never sends the request', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'http://app.example']) {
      const response = await preflight(stack, origin)
      expect(response.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('the actual request from an allowed origin carries the header and exposes the request id; a refused origin\'s does not', async () => {
    const send = (origin: string) =>
      request(`${stack.bffUrl}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      })
    const allowed = await send(ALLOWED)
    expect(await allowed.body.json()).toEqual({ data: { __typename: 'Query' } })
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED)
    expect(String(allowed.headers['access-control-expose-headers'])).toContain('x-request-id')
    // Vary keeps every contributor: CORS's Origin beside the transport's own.
    expect(String(allowed.headers['vary']).toLowerCase()).toMatch(/origin/)
    expect(String(allowed.headers['vary']).toLowerCase()).toMatch(/authorization/)
    const refused = await send('https://evil.example')
    await refused.body.dump()
    expect(refused.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('CORS credentials', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: ALLOWED, CORS_CREDENTIALS: 'true' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('are allowed only when CORS_CREDENTIALS says so', async () => {
    const response = await preflight(stack, ALLOWED)
    expect(response.headers['access-control-allow-credentials']).toBe('true')
  })
})

/** Settings that are not about CORS: a config needs an identity provider or an explicit AUTH_DISABLED. */
const NO_AUTH = { AUTH_DISABLED: 'true' } as const

describe('CORS defaults', () => {
  it('production allows no origin unless CORS_ORIGINS names some; development allows this server\'s own GraphiQL origin', () => {
    expect(loadConfig({ ...NO_AUTH, NODE_ENV: 'production' }).browser.corsOrigins).toEqual([])
    expect(loadConfig({ ...NO_AUTH, NODE_ENV: 'production', CORS_ORIGINS: ALLOWED }).browser.corsOrigins).toEqual([ALLOWED])
    expect(loadConfig({ ...NO_AUTH, PORT: '4000' }).browser.corsOrigins).toEqual(['http://localhost:4000', 'http://127.0.0.1:4000'])
    expect(loadConfig(NO_AUTH).browser.corsCredentials).toBe(false)
  })

  it('an origin with a path or without a scheme is a config error', () => {
    expect(() => loadConfig({ ...NO_AUTH, CORS_ORIGINS: 'https://app.example/path' })).toThrow(/CORS_ORIGINS/)
    expect(() => loadConfig({ ...NO_AUTH, CORS_ORIGINS: 'app.example' })).toThrow(/CORS_ORIGINS/)
  })

  it('in production, a preflight from anywhere gets no Access-Control-Allow-Origin', async () => {
    const stack = await startStack({ NODE_ENV: 'production' })
    try {
      const response = await preflight(stack, 'http://localhost:4000')
      expect(response.headers['access-control-allow-origin']).toBeUndefined()
    } finally {
      await stack.close()
    }
  })
})
