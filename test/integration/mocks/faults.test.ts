import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import { createWorld } from '../../../mocks/world/create-world.js'
import { waitFor } from '../../helpers/wait-for.js'
import { call, get, post, startTestMocks } from './mock-client.js'

describe('mock admin and faults', () => {
  // Nothing here changes the world, so one saves building it per test; each test still gets its own servers.
  const world = createWorld()
  let mocks: RunningMocks
  beforeEach(async () => {
    mocks = await startTestMocks({ world })
  })
  afterEach(() => mocks.close())

  const stats = async (url: string) => (await get(`${url}/__admin/stats`)).body

  it('counts requests by route pattern, excluding admin routes and unknown paths', async () => {
    await get(`${mocks.urls.users}/users/1`)
    await get(`${mocks.urls.users}/users/2`)
    await get(`${mocks.urls.users}/users?ids=1`)
    await get(`${mocks.urls.users}/users/abc`)
    await get(`${mocks.urls.users}/nope`)
    await get(`${mocks.urls.users}/__admin/requests`)
    expect(await stats(mocks.urls.users)).toEqual({ requests: 4, byRoute: { 'GET /users/:id': 3, 'GET /users': 1 }, inFlight: 0 })
  })

  it('records recent requests with request ids and monotonic timestamps', async () => {
    await get(`${mocks.urls.catalog}/products/1`, { 'x-request-id': 'a' })
    await get(`${mocks.urls.catalog}/products/2`)
    const { requests } = (await get(`${mocks.urls.catalog}/__admin/requests`)).body
    expect(requests.map((r: { route: string; requestId: string | null }) => [r.route, r.requestId])).toEqual([
      ['GET /products/:id', 'a'],
      ['GET /products/:id', null],
    ])
    const [first, second] = requests
    expect(first.endedAt).toBeGreaterThanOrEqual(first.startedAt)
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt)
  })

  it('errorRate 1 answers errorStatus with the injected_fault body, admin routes unaffected', async () => {
    const set = await post(`${mocks.urls.orders}/__admin/faults`, { errorRate: 1, errorStatus: 503 })
    expect(set.body).toEqual({ faults: { latencyMs: 0, errorRate: 1, errorStatus: 503, hangRate: 0 } })
    const answer = await get(`${mocks.urls.orders}/orders/1`)
    expect(answer.status).toBe(503)
    expect(answer.body).toEqual({ error: 'injected_fault' })
    expect((await stats(mocks.urls.orders)).byRoute).toEqual({ 'GET /orders/:id': 1 })
    expect((await get(`${mocks.urls.users}/users/1`)).status).toBe(200)
  })

  it('reset returns to the start-up defaults and clears the stats', async () => {
    await post(`${mocks.urls.users}/__admin/faults`, { errorRate: 1 })
    await get(`${mocks.urls.users}/users/1`)
    const reset = await post(`${mocks.urls.users}/__admin/reset`)
    expect(reset.body).toEqual({ faults: { latencyMs: 0, errorRate: 0, errorStatus: 500, hangRate: 0 } })
    expect(await stats(mocks.urls.users)).toEqual({ requests: 0, byRoute: {}, inFlight: 0 })
    expect((await get(`${mocks.urls.users}/__admin/requests`)).body).toEqual({ requests: [] })
    expect((await get(`${mocks.urls.users}/users/1`)).status).toBe(200)
  })

  it('recommendations start with 80 ms latency, and reset goes back to it', async () => {
    const reset = await post(`${mocks.urls.recommendations}/__admin/reset`)
    expect(reset.body.faults.latencyMs).toBe(80)
    const started = performance.now()
    expect((await get(`${mocks.urls.recommendations}/users/1/recommendations`)).status).toBe(200)
    // Timers may fire up to a millisecond early; the bound only checks the delay happened.
    expect(performance.now() - started).toBeGreaterThanOrEqual(79)
  })

  it('a latency range delays every request by at least its minimum', async () => {
    await post(`${mocks.urls.catalog}/__admin/faults`, { latencyMs: [60, 90] })
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      expect((await get(`${mocks.urls.catalog}/products/1`)).status).toBe(200)
      expect(performance.now() - started).toBeGreaterThanOrEqual(59)
    }
  })

  it.each([{ latencyMs: [90, 60] }, { errorRate: 2 }, { errorStatus: 418 }, { hangRate: 'often' }, { bogus: 1 }, 'not json'])(
    'POST /__admin/faults %j answers 400 and changes nothing',
    async (body) => {
      const answer = await call('POST', `${mocks.urls.users}/__admin/faults`, { body })
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('bad_request')
      expect((await post(`${mocks.urls.users}/__admin/faults`, {})).body.faults).toEqual({ latencyMs: 0, errorRate: 0, errorStatus: 500, hangRate: 0 })
    },
  )

  it('a hung request counts in flight until the client aborts', async () => {
    await post(`${mocks.urls.users}/__admin/faults`, { hangRate: 1 })
    const controller = new AbortController()
    const hung = call('GET', `${mocks.urls.users}/users/1`, { signal: controller.signal })
    await waitFor(async () => (await stats(mocks.urls.users)).inFlight === 1, { timeoutMs: 5_000, message: 'hung request in flight' })
    controller.abort()
    await expect(hung).rejects.toThrow()
    await waitFor(async () => (await stats(mocks.urls.users)).inFlight === 0, { timeoutMs: 5_000, message: 'inFlight back to 0' })
    const [record] = (await get(`${mocks.urls.users}/__admin/requests`)).body.requests
    expect(record.endedAt).not.toBeNull()
  })

  it('a latency-delayed request the client abandons leaves inFlight too', async () => {
    await post(`${mocks.urls.users}/__admin/faults`, { latencyMs: 60_000 })
    const controller = new AbortController()
    const slow = call('GET', `${mocks.urls.users}/users/1`, { signal: controller.signal })
    await waitFor(async () => (await stats(mocks.urls.users)).inFlight === 1, { timeoutMs: 5_000, message: 'delayed request in flight' })
    controller.abort()
    await expect(slow).rejects.toThrow()
    await waitFor(async () => (await stats(mocks.urls.users)).inFlight === 0, { timeoutMs: 5_000, message: 'inFlight back to 0' })
  })

  it('close() completes while requests hang or wait out a long latency', async () => {
    await post(`${mocks.urls.reviews}/__admin/faults`, { hangRate: 1 })
    await post(`${mocks.urls.users}/__admin/faults`, { latencyMs: 60_000 })
    const hung = call('GET', `${mocks.urls.reviews}/reviews?ids=1`)
    const slow = call('GET', `${mocks.urls.users}/users/1`)
    await waitFor(async () => (await stats(mocks.urls.reviews)).inFlight === 1 && (await stats(mocks.urls.users)).inFlight === 1, {
      timeoutMs: 5_000,
      message: 'both requests in flight',
    })
    await mocks.close()
    await expect(hung).rejects.toThrow()
    await expect(slow).rejects.toThrow()
  })
})
