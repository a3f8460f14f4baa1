import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/edge/persisted-documents.js'
import { redisServerPerSuite } from '../../helpers/redis-server.js'
import { mockStats, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { codeOf, get, post } from './edge-http.js'

const PRODUCT = 'query Product($id: ID!) { product(id: $id) { id name } }'
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } })

describe('automatic persisted queries over one Redis, two instances', () => {
  const redis = redisServerPerSuite()
  let first: Stack
  let second: Stack
  beforeAll(async () => {
    const env = { REDIS_URL: redis.server.url, CACHE_KEY_PREFIX: 'apq-test:' }
    first = await startStack(env)
    second = await startStack(env)
    await waitFor(() => first.app.redis?.status === 'ready' && second.app.redis?.status === 'ready', { message: 'both instances connected to Redis' })
  })
  afterAll(async () => {
    await first?.close()
    await second?.close()
  })

  it('an unknown hash answers PERSISTED_QUERY_NOT_FOUND (200, the message clients match); registered on one instance, the hash alone runs on the other', async () => {
    const before = await mockStats(first.mocks.urls.catalog)
    const missing = await post(first, { extensions: persisted(PRODUCT), variables: { id: '1' } })
    expect(missing.status).toBe(200)
    expect(missing.json).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] })
    // A CDN must not keep the miss: the document is registered right after, by POST.
    expect(missing.headers['cache-control']).toBe('no-store')
    expect((await mockStats(first.mocks.urls.catalog)).requests).toBe(before.requests)

    const registered = await post(first, { query: PRODUCT, extensions: persisted(PRODUCT), variables: { id: '1' } })
    expect(registered.status).toBe(200)
    expect(registered.json?.data?.['product']).toMatchObject({ id: '1' })
    expect(await redis.client.get(`apq-test:apq:${sha256Hex(PRODUCT)}`)).toBe(PRODUCT)
    expect(await redis.client.pttl(`apq-test:apq:${sha256Hex(PRODUCT)}`)).toBeGreaterThan(86_000_000)

    const byPost = await post(second, { extensions: persisted(PRODUCT), variables: { id: '2' } })
    expect(byPost.json?.data?.['product']).toMatchObject({ id: '2' })
    const byGet = await get(second, { extensions: persisted(PRODUCT), variables: { id: '3' } })
    expect(byGet.status).toBe(200)
    expect(byGet.json?.data?.['product']).toMatchObject({ id: '3' })
  })

  it('a hash that is not the document\'s is refused with 400 BAD_REQUEST and nothing is stored under it', async () => {
    const other = '{ product(id: "1") { name } }'
    const lying = await post(first, { query: other, extensions: persisted(PRODUCT.replace('name', 'category')) })
    expect(lying.status).toBe(400)
    expect(codeOf(lying)).toBe('BAD_REQUEST')
    expect(lying.json?.errors?.[0]?.message).toBe('provided sha does not match query')
    expect(await redis.client.get(`apq-test:apq:${sha256Hex(PRODUCT.replace('name', 'category'))}`)).toBeNull()
    const later = await post(second, { extensions: persisted(PRODUCT.replace('name', 'category')), variables: { id: '1' } })
    expect(codeOf(later)).toBe('PERSISTED_QUERY_NOT_FOUND')
  })

  it('a document that does not parse is answered with its parse error and not stored', async () => {
    const broken = '{ product(id: "1") { name '
    const answer = await post(first, { query: broken, extensions: persisted(broken) })
    expect(codeOf(answer)).toBe('GRAPHQL_PARSE_FAILED')
    expect(await redis.client.exists(`apq-test:apq:${sha256Hex(broken)}`)).toBe(0)
  })

  it.each([
    ['version 2', { persistedQuery: { version: 2, sha256Hash: sha256Hex(PRODUCT) } }],
    ['a hash that is not 64 hex digits', { persistedQuery: { version: 1, sha256Hash: 'abc' } }],
    ['a persistedQuery that is not an object', { persistedQuery: 'x' }],
  ])('%s is a 400 BAD_REQUEST', async (_label, extensions) => {
    const answer = await post(first, { extensions, variables: { id: '1' } })
    expect(answer.status).toBe(400)
    expect(codeOf(answer)).toBe('BAD_REQUEST')
  })

  it('without query or persistedQuery the request is still a 400 BAD_REQUEST', async () => {
    const answer = await post(first, { extensions: {} })
    expect(answer.status).toBe(400)
    expect(codeOf(answer)).toBe('BAD_REQUEST')
  })

  // Last in this block: it kills the suite's Redis.
  it('with Redis gone a hash reads as unknown and the document sent with it still runs', async () => {
    const query = '{ product(id: "6") { id } }'
    await redis.server.kill()
    await waitFor(() => first.app.redis?.status !== 'ready', { message: 'the instance to notice Redis is gone' })
    expect(codeOf(await post(first, { extensions: persisted(query) }))).toBe('PERSISTED_QUERY_NOT_FOUND')
    const retried = await post(first, { query, extensions: persisted(query) })
    expect(retried.status).toBe(200)
    expect(retried.json).toEqual({ data: { product: { id: '6' } } })
  })
})

describe('automatic persisted queries without Redis', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ CACHE_ENABLED: 'false' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('work per instance even with the entity cache disabled', async () => {
    const query = '{ product(id: "4") { id } }'
    expect(codeOf(await get(stack, { extensions: persisted(query) }))).toBe('PERSISTED_QUERY_NOT_FOUND')
    await post(stack, { query, extensions: persisted(query) })
    expect((await get(stack, { extensions: persisted(query) })).json?.data).toEqual({ product: { id: '4' } })
  })
})

describe('automatic persisted queries turned off', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ PERSISTED_QUERIES_APQ_ENABLED: 'false' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('a hash answers PERSISTED_QUERY_NOT_SUPPORTED, which tells clients to stop sending hashes', async () => {
    const query = '{ product(id: "4") { id } }'
    const answer = await post(stack, { extensions: persisted(query) })
    expect(answer.status).toBe(200)
    expect(answer.json?.errors?.[0]).toEqual({ message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } })
  })
})
