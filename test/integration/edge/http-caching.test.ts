import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestToken } from '../../../mocks/auth/token-client.js'
import { resetMocks, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { get, post } from './edge-http.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.close()
})

const varyOf = (headers: Record<string, string | string[] | undefined>): string[] =>
  String(headers['vary'] ?? '').split(',').map((name) => name.trim().toLowerCase())

describe('Cache-Control of GET queries, from @cacheControl', () => {
  it('a PUBLIC-only query: public, the smallest maxAge among the fields selected', async () => {
    const product = await get(stack, { query: '{ product(id: "1") { id name } }' })
    expect(product.status).toBe(200)
    expect(product.headers['cache-control']).toBe('public, max-age=600')
    expect(varyOf(product.headers)).toEqual(expect.arrayContaining(['accept', 'authorization']))
    // price (5 s) is the shortest; its Money wrapper inherits rather than counting as an unhinted 0.
    const priced = await get(stack, { query: '{ product(id: "1") { id name price { formatted } } }' })
    expect(priced.headers['cache-control']).toBe('public, max-age=5')
  })

  it('a PRIVATE field makes the answer private; a connection and its edges inherit the field\'s maxAge', async () => {
    const order = await get(stack, { query: '{ order(id: "6843") { id status total { amount } } }' })
    expect(order.json?.errors).toBeUndefined()
    expect(order.headers['cache-control']).toBe('private, max-age=30')
    const orders = await get(stack, { query: '{ user(id: "1") { name orders(first: 1) { edges { node { id } } pageInfo { hasNextPage } } } }' })
    expect(orders.json?.errors).toBeUndefined()
    expect(orders.headers['cache-control']).toBe('private, max-age=30')
  })

  it('a request with a token gets private even for PUBLIC fields', async () => {
    const { access_token: token } = await requestToken(stack.mocks.auth.url, { sub: '1' })
    const answer = await get(stack, { query: '{ product(id: "1") { id name } }' }, { authorization: `Bearer ${token}` })
    expect(answer.status).toBe(200)
    expect(answer.headers['cache-control']).toBe('private, max-age=600')
  })

  it('a field without a hint (maxAge 0) is not stored', async () => {
    const home = await get(stack, { query: '{ home(userId: "1") { user { id } } }' })
    expect(home.json?.errors).toBeUndefined()
    expect(home.headers['cache-control']).toBe('no-store')
    expect(home.headers['etag']).toBeUndefined()
  })

  it('an answer with errors is not stored, partial data or not', async () => {
    await setFaults(stack.mocks.urls.reviews, { errorRate: 1, errorStatus: 500 })
    try {
      // Reviews fail, the product is served: partial data beside an error.
      const partial = await get(stack, { query: '{ product(id: "5") { id name reviews(first: 1) { totalCount } } }' })
      expect(partial.json?.data?.['product']).toMatchObject({ id: '5' })
      expect(partial.json?.errors?.length).toBeGreaterThan(0)
      expect(partial.headers['cache-control']).toBe('no-store')
      expect(partial.headers['etag']).toBeUndefined()
    } finally {
      await resetMocks(stack.mocks)
    }
    const invalid = await get(stack, { query: '{ product(id: "1") { shoeSize } }' })
    expect(invalid.status).toBe(400)
    expect(invalid.headers['cache-control']).toBe('no-store')
  })

  it('mutations are never stored: refused over GET (405), no-store over POST', async () => {
    const mutation = 'mutation { likeReview(id: "1") { id likes } }'
    const overGet = await get(stack, { query: mutation })
    expect(overGet.status).toBe(405)
    expect(overGet.headers['cache-control']).toBe('no-store')
    const overPost = await post(stack, { query: mutation })
    expect(overPost.json?.errors).toBeUndefined()
    expect(overPost.headers['cache-control']).toBe('no-store')
  })

  it('a POST query is not stored, however cacheable its fields', async () => {
    const answer = await post(stack, { query: '{ product(id: "1") { id name } }' })
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.headers['etag']).toBeUndefined()
  })
})

describe('conditional GET', () => {
  const query = { query: '{ product(id: "2") { id name } }' }

  it('answers 304 without a body to an If-None-Match naming the current ETag, 200 otherwise', async () => {
    const first = await get(stack, query)
    const etag = String(first.headers['etag'])
    expect(etag).toMatch(/^W\/".+"$/)
    const again = await get(stack, query, { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect(again.headers['etag']).toBe(etag)
    expect(again.headers['cache-control']).toBe('public, max-age=600')
    // Weak comparison: the strong form of the same tag matches too; a list matches when one does.
    expect((await get(stack, query, { 'if-none-match': `"x", ${etag.slice(2)}` })).status).toBe(304)
    const stale = await get(stack, query, { 'if-none-match': 'W/"something-else"' })
    expect(stale.status).toBe(200)
    expect(stale.json?.data).toEqual(first.json?.data)
  })

  it('with the rate limit on, the ETag stays the data\'s: the bucket in extensions.cost changes, a 304 still comes', async () => {
    // Refilled so slowly that each answer shows a bucket one point lower.
    const limited = await startStack({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_POINTS_PER_SECOND: '0.001' })
    try {
      const first = await get(limited, query)
      expect(first.text).toContain('"requestedQueryCost"')
      const again = await get(limited, query, { 'if-none-match': String(first.headers['etag']) })
      expect(again.status).toBe(304)
    } finally {
      await limited.close()
    }
  })

  it('the ETag differs per media type (Vary: Accept) and per answer', async () => {
    const graphqlJson = await get(stack, query)
    const json = await get(stack, query, { accept: 'application/json' })
    expect(json.headers['etag']).not.toBe(graphqlJson.headers['etag'])
    const other = await get(stack, { query: '{ product(id: "3") { id name } }' })
    expect(other.headers['etag']).not.toBe(graphqlJson.headers['etag'])
  })
})
