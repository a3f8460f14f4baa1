import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { startMocks } from '../../../mocks/start-mocks.js'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'

const PRICE = '{ product(id: "7") { price { formatted amount } } }'

interface Readiness {
  readonly cache: { readonly resources: Record<string, { readonly maxAgeS: number }> }
}

async function cachePolicies(bffUrl: string): Promise<Record<string, number>> {
  const body = (await (await request(`${bffUrl}/health/ready`)).body.json()) as Readiness
  return Object.fromEntries(Object.entries(body.cache.resources).map(([label, policy]) => [label, policy.maxAgeS]))
}

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

describe('resources invalidated by events, seen from outside', () => {
  it('are held past their maxAge where the services\' events reach the cache; clients are still told the maxAge', async () => {
    stack = await startStack({ CACHE_EVENT_INVALIDATED_MAX_AGE_S: '300' })
    const policies = await cachePolicies(stack.bffUrl)
    expect(policies).toMatchObject({ 'inventory:stock': 300, 'notifications:feed': 300, 'notifications:unread': 300, 'orders:user-orders': 300 })
    expect(policies).toMatchObject({ 'catalog:product': 600, 'recommendations:for-user': 60, 'reviews:review': 60 })
    const get = await request(`${stack.bffUrl}/graphql?query=${encodeURIComponent(PRICE)}`)
    await get.body.dump()
    expect(get.headers['cache-control']).toBe('public, max-age=5')
  })

  it('are served past their maxAge without a call, and a change is answered as soon as its event arrives', async () => {
    // A maxAge of 1 s, so that passing it takes a test a second.
    stack = await startStack({
      CACHE_EVENT_INVALIDATED_MAX_AGE_S: '300',
      CACHE_TTL_OVERRIDES: '{"Product.price":1,"Product.stock":1}',
      // No stale-while-revalidate: past its fresh period an entry is fetched again before the answer.
      CACHE_STALE_WHILE_REVALIDATE_S: '0',
      CACHE_TTL_JITTER_PERCENT: '0',
    })
    const s = stack
    const inventoryUrl = s.mocks.urls.inventory
    const first = await gql(s, PRICE)
    const writtenAt = Date.now()
    const before = (first.body.data?.['product'] as { price: { amount: number } }).price.amount
    expect((await mockStats(inventoryUrl)).requests).toBe(1)
    // Time passing is what is under test here: past the 1 s maxAge, still fresh.
    await waitFor(() => Date.now() - writtenAt > 1_500, { timeoutMs: 3_000, intervalMs: 100 })
    expect((await gql(s, PRICE)).body).toEqual(first.body)
    expect((await mockStats(inventoryUrl)).requests).toBe(1)

    const changed = await request(`${inventoryUrl}/inventory/7`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ priceAmount: before + 100 }),
    })
    await changed.body.dump()
    expect(changed.statusCode).toBe(200)
    const seen = await waitFor(async () => {
      const answer = await gql(s, PRICE)
      const amount = (answer.body.data?.['product'] as { price: { amount: number } }).price.amount
      return amount === before + 100 ? amount : null
    })
    expect(seen).toBe(before + 100)
    // The PUT, and one fetch after the invalidation.
    expect((await mockStats(inventoryUrl)).byRoute).toMatchObject({ 'GET /inventory': 2 })
  })

  it('keep their maxAge where no event reaches the cache (a log of the BFF\'s own)', async () => {
    const mocks = await startMocks({ ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) })
    const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', AUTH_DISABLED: 'true', CACHE_EVENT_INVALIDATED_MAX_AGE_S: '300', ...urls })
    const app = await buildApp(config, { logger: false })
    try {
      const ready = await app.inject({ method: 'GET', url: '/health/ready' })
      const resources = (ready.json() as Readiness).cache.resources
      expect(resources['inventory:stock']?.maxAgeS).toBe(5)
      expect(resources['notifications:feed']?.maxAgeS).toBe(10)
    } finally {
      await app.close()
      await mocks.close()
    }
  })
})
