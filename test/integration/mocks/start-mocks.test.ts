import { afterEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../mocks/services/service-names.js'
import { startMocks, type RunningMocks } from '../../../mocks/start-mocks.js'
import { createWorld } from '../../../mocks/world/create-world.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { get, post, put, startTestMocks } from './mock-client.js'

describe('startMocks', () => {
  const leftovers: RunningMocks[] = []
  afterEach(async () => {
    await Promise.all(leftovers.splice(0).map((mocks) => mocks.close()))
  })

  it('starts all seven services on one shared world and event log', async () => {
    const world = createWorld()
    const eventLog = createMemoryEventLog()
    const mocks = await startTestMocks({ world, eventLog })
    leftovers.push(mocks)
    expect(Object.keys(mocks.urls)).toEqual([...SERVICE_NAMES])
    for (const name of SERVICE_NAMES) expect(mocks.urls[name]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(mocks.world).toBe(world)
    expect(mocks.eventLog).toBe(eventLog)
    // A price set through inventory is what orders charges: one world behind both services.
    expect((await put(`${mocks.urls.inventory}/inventory/3`, { priceAmount: 777 })).status).toBe(200)
    const order = await post(`${mocks.urls.orders}/orders`, { userId: '2', items: [{ productId: '3', quantity: 1 }] })
    expect(order.body.total).toEqual({ amount: 777, currency: 'USD' })
    expect(world.inventory.get('3')?.price.amount).toBe(777)
    expect((await eventLog.read('0-0')).map((e) => e.event.type)).toEqual(['inventory.changed', 'order.created'])
    await mocks.close()
    // An injected log belongs to the caller and stays open.
    await expect(eventLog.append({ type: 'review.liked', reviewId: '1', productId: '1', likes: 1 })).resolves.toBeDefined()
  })

  it('starts auth beside the seven, on a free port when all seven are, keeping it out of urls and services', async () => {
    const mocks = await startTestMocks()
    leftovers.push(mocks)
    expect(Object.keys(mocks.services)).toEqual([...SERVICE_NAMES])
    expect(mocks.auth.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(mocks.auth.url).not.toBe('http://127.0.0.1:4008')
    expect(mocks.auth.jwksUrl).toBe(`${mocks.auth.url}/.well-known/jwks.json`)
    expect(mocks.auth.tokenUrl).toBe(`${mocks.auth.url}/token`)
    expect((await get(`${mocks.auth.url}/.well-known/openid-configuration`)).body.issuer).toBe(mocks.auth.url)
    await mocks.close()
    expect(mocks.auth.service.server.listening).toBe(false)
  })

  it('applies start-up faults, which reset returns to', async () => {
    const mocks = await startTestMocks({ faults: { users: { errorRate: 1, errorStatus: 502 }, recommendations: { latencyMs: 0 } } })
    leftovers.push(mocks)
    expect((await get(`${mocks.urls.users}/users/1`)).status).toBe(502)
    await post(`${mocks.urls.users}/__admin/faults`, { errorRate: 0 })
    expect((await get(`${mocks.urls.users}/users/1`)).status).toBe(200)
    expect((await post(`${mocks.urls.users}/__admin/reset`)).body.faults).toEqual({ latencyMs: 0, errorRate: 1, errorStatus: 502, hangRate: 0 })
    expect((await post(`${mocks.urls.recommendations}/__admin/reset`)).body.faults.latencyMs).toBe(0)
  })

  it('rejects bad options before listening', async () => {
    await expect(startMocks({ ports: { users: 70_000 } })).rejects.toThrow(/ports.users/)
    await expect(startMocks({ ports: { auth: -1 } })).rejects.toThrow(/ports.auth/)
    await expect(startMocks({ ports: { auth: 0 }, auth: { keyGraceMs: -5 } })).rejects.toThrow(/keyGraceMs/)
    await expect(startMocks({ ports: { users: 0 }, faults: { orders: { errorRate: 2 } } })).rejects.toThrow(/orders service: options.faults: errorRate/)
  })

  it('closes what it started when a port is taken', async () => {
    const first = await startTestMocks()
    leftovers.push(first)
    const port = Number(new URL(first.urls.users).port)
    const ports = { ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, name === 'catalog' ? port : 0])), auth: 0 }
    await expect(startMocks({ ports })).rejects.toThrow(/EADDRINUSE/)
  })

  it('close() is idempotent', async () => {
    const mocks = await startTestMocks()
    await Promise.all([mocks.close(), mocks.close()])
    await mocks.close()
  })
})
