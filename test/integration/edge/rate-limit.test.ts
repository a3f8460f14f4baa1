import { serverAudits, type AuditResult } from 'graphql-http'
import { connect } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { connectRaw } from '../../helpers/ws-client.js'
import { gql, mockStats, resetMocks, startStack, type Stack } from '../../helpers/stack.js'

async function downstreamRequests(stack: Stack): Promise<number> {
  const stats = await Promise.all(SERVICE_NAMES.map((name) => mockStats(stack.mocks.urls[name])))
  return stats.reduce((sum, one) => sum + one.requests, 0)
}

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } })

async function describeFailedAudit(result: AuditResult): Promise<string> {
  if (result.status !== 'error') return ''
  const { response } = result
  const body = await response.clone().text().catch((error: unknown) => `(body unreadable: ${String(error)})`)
  return `${result.id} ${result.name}: ${result.reason} (HTTP ${response.status} ${body.slice(0, 200)})`
}

describe('per-caller token bucket (embedded), seen from outside', () => {
  let stack: Stack
  beforeAll(async () => {
    // Two home queries (20 points each) fill the bucket; it refills 1 point a second, so nothing refills meanwhile.
    stack = await startStack({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '40', RATE_LIMIT_POINTS_PER_SECOND: '1', TRUST_PROXY: '127.0.0.1' })
  })
  afterAll(() => stack.close())
  beforeEach(() => resetMocks(stack.mocks))

  it('serves the burst with extensions.cost and RateLimit headers, then answers 429 with the real wait and nothing downstream', async () => {
    const first = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.1'))
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      extensions: { cost: { requestedQueryCost: 20, throttleStatus: { maximumAvailable: 40, currentlyAvailable: 20, restoreRate: 1 } } },
    })
    expect(first.headers['ratelimit-policy']).toBe('"cost";q=40;w=40')
    expect(first.headers['ratelimit']).toBe('"cost";r=20;t=20')
    const second = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.1'))
    expect(second.status).toBe(200)
    await resetMocks(stack.mocks)

    const refused = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.1'))
    expect(refused.status).toBe(429)
    // 20 points missing at 1 point a second, less what refilled since the second charge (a loaded machine takes a while).
    const { retryAfterMs } = refused.body.errors?.[0]?.extensions as { retryAfterMs: number }
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED')
    expect(retryAfterMs).toBeGreaterThan(15_000)
    expect(retryAfterMs).toBeLessThanOrEqual(20_000)
    expect(refused.headers['retry-after']).toBe(String(Math.ceil(retryAfterMs / 1_000)))
    const left = Math.floor(20 - retryAfterMs / 1_000)
    expect(refused.headers['ratelimit']).toMatch(new RegExp(`^"cost";r=${left};t=(${40 - left}|${39 - left})$`))
    expect(refused.body).toMatchObject({ extensions: { cost: { requestedQueryCost: 20, throttleStatus: { currentlyAvailable: left } } } })
    expect(refused.body.data).toBeUndefined()
    expect(await downstreamRequests(stack)).toBe(0)

    // A cheaper operation that fits what is left... nothing is left; another caller has its own bucket.
    const other = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.2'))
    expect(other.status).toBe(200)
  })

  it.each(['loopback', '1'])('believes X-Forwarded-For from TRUST_PROXY=%s (a named range, a hop count): one bucket per client', async (trust) => {
    const trusted = await startStack({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '20', RATE_LIMIT_POINTS_PER_SECOND: '1', TRUST_PROXY: trust })
    try {
      expect((await gql(trusted, HOME_EXAMPLE.query, undefined, from('198.51.100.1'))).status).toBe(200)
      expect((await gql(trusted, HOME_EXAMPLE.query, undefined, from('198.51.100.2'))).status).toBe(200)
      expect((await gql(trusted, HOME_EXAMPLE.query, undefined, from('198.51.100.1'))).status).toBe(429)
    } finally {
      await trusted.close()
    }
  })

  it('believes X-Forwarded-For only from TRUST_PROXY: untrusted, every client behind one address shares its bucket', async () => {
    const untrusted = await startStack({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '20', RATE_LIMIT_POINTS_PER_SECOND: '1' })
    try {
      expect((await gql(untrusted, HOME_EXAMPLE.query, undefined, from('198.51.100.1'))).status).toBe(200)
      expect((await gql(untrusted, HOME_EXAMPLE.query, undefined, from('198.51.100.2'))).status).toBe(429)
    } finally {
      await untrusted.close()
    }
  })

  it('refuses a websocket subscribe over the limit with an error for that id and keeps the connection open', async () => {
    const client = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
    try {
      client.send({ type: 'connection_init' })
      expect(await client.waitForMessage()).toMatchObject({ type: 'connection_ack' })
      // The bucket of 127.0.0.1 (no X-Forwarded-For here): 40 points, 20 per home query.
      for (const id of ['1', '2']) {
        client.send({ id, type: 'subscribe', payload: { query: HOME_EXAMPLE.query } })
        expect(await client.waitForMessage()).toMatchObject({ id, type: 'next' })
        expect(await client.waitForMessage()).toMatchObject({ id, type: 'complete' })
      }
      client.send({ id: '3', type: 'subscribe', payload: { query: HOME_EXAMPLE.query } })
      expect(await client.waitForMessage()).toMatchObject({ id: '3', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] })
      // The connection still serves: a 5-point operation is priced on its own, with the wait for 5 points.
      client.send({ id: '4', type: 'subscribe', payload: { query: '{ products(ids: ["1", "2", "3", "4", "5"]) { id } }' } })
      const cheap = await client.waitForMessage()
      expect(cheap).toMatchObject({ id: '4', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED', cost: { requestedQueryCost: 5 } } }] })
      expect((cheap['payload'] as [{ extensions: { retryAfterMs: number } }])[0].extensions.retryAfterMs).toBeLessThanOrEqual(5_000)
      expect(client.ws.readyState).toBe(client.ws.OPEN)
    } finally {
      client.ws.close()
    }
  })
})

/** The status line and headers of a POST whose body never comes: answered only if the server does not wait for the body. */
function postWithoutBody(bffUrl: string, forwardedFor: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const socket = connect(Number(new URL(bffUrl).port), '127.0.0.1', () => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: bff\r\nContent-Type: application/json\r\nX-Forwarded-For: ${forwardedFor}\r\nContent-Length: 1000\r\n\r\n`)
    })
    socket.on('data', (chunk) => {
      answer += String(chunk)
      if (answer.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(answer)
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
  })
}

/** Spends a caller's bucket (one home query fills it) and has it refused once: when, and the wait it was given. */
async function refusedOnce(stack: Stack, address: string): Promise<{ refusedAt: number; retryAfterMs: number }> {
  expect((await gql(stack, HOME_EXAMPLE.query, undefined, from(address))).status).toBe(200)
  const refusedAt = performance.now()
  const refused = await gql(stack, HOME_EXAMPLE.query, undefined, from(address))
  // The first refusal is answered at once: the client learns its wait.
  expect(refused.status).toBe(429)
  const { retryAfterMs } = refused.body.errors?.[0]?.extensions as { retryAfterMs: number }
  return { refusedAt, retryAfterMs }
}

describe('callers back before their Retry-After, seen from outside', () => {
  let stack: Stack
  beforeAll(async () => {
    // One home query (20 points) empties a bucket; it refills in one second. The request timeout is
    // long, so an answer to a POST whose body never comes cannot be the timeout's.
    stack = await startStack({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_BURST: '20',
      RATE_LIMIT_POINTS_PER_SECOND: '20',
      TRUST_PROXY: '127.0.0.1',
      SERVER_REQUEST_TIMEOUT_MS: '60000',
      // Answered at once here; the hold is the next block's.
      RATE_LIMIT_EARLY_RETRY_DELAY_MS: '0',
    })
  })
  afterAll(() => stack.close())
  beforeEach(() => resetMocks(stack.mocks))

  it('are refused before their body is read, and served from the moment the wait is over', async () => {
    const { refusedAt, retryAfterMs } = await refusedOnce(stack, '203.0.113.20')
    expect(retryAfterMs).toBeGreaterThan(0)

    // No body at all, and still answered at once: the refusal did not wait for it.
    const early = await postWithoutBody(stack.bffUrl, '203.0.113.20')
    expect(early).toMatch(/^HTTP\/1\.1 429/)
    expect(early).toMatch(/\r\nretry-after: 1\r\n/i)
    // Another caller is not affected.
    expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.21'))).status).toBe(200)

    // Polled until served: never before the wait it was given, and within a deadline after it.
    let servedAfterMs = Number.NaN
    for (const deadline = refusedAt + 10_000; performance.now() < deadline; ) {
      const answer = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.20'))
      if (answer.status === 200) {
        servedAfterMs = performance.now() - refusedAt
        break
      }
      expect(answer.status).toBe(429)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(servedAfterMs).toBeGreaterThanOrEqual(retryAfterMs)
  })

  it('charge an over-cost document to its sender: repeated, it is refused with 429 and then at the door, nothing sent downstream', async () => {
    const wide = '{ search(query: "a", first: 100) { edges { node { reviews(first: 100) { edges { node { author { followers(first: 100) { orders(first: 100) { edges { node { id } } } } } } } } } } } }'
    const first = await gql(stack, wide, undefined, from('203.0.113.30'))
    expect(first.body.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED')
    // Charged what a bucket holds: nothing is left for a second one.
    expect(first.headers['ratelimit']).toMatch(/^"cost";r=0;/)
    const second = await gql(stack, wide, undefined, from('203.0.113.30'))
    expect(second.status).toBe(429)
    expect(second.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED')
    // Not even JSON: refused for the caller's wait before the body is read, not for the body.
    const garbage = await postWithoutBody(stack.bffUrl, '203.0.113.30')
    expect(garbage).toMatch(/^HTTP\/1\.1 429/)
    expect(await downstreamRequests(stack)).toBe(0)
    // A caller who sent nothing over cost is served.
    expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.31'))).status).toBe(200)
  })
})

describe('early retries are held before their 429, seen from outside', () => {
  it('holds a retry for the delay while others are served, and serves the one whose hold outlasts the wait', async () => {
    // A home query (20 points) empties the bucket; 10 points a second refill it in 2 s; a retry is held 500 ms.
    const stack = await startStack({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_BURST: '20',
      RATE_LIMIT_POINTS_PER_SECOND: '10',
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_EARLY_RETRY_DELAY_MS: '500',
    })
    try {
      const { refusedAt, retryAfterMs } = await refusedOnce(stack, '203.0.113.40')
      expect(retryAfterMs).toBeGreaterThan(1_000)

      const order: string[] = []
      const retriedAt = performance.now()
      const retry = gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.40')).then((answer) => {
        order.push('retry')
        return { answer, heldMs: performance.now() - retriedAt }
      })
      const other = await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.41'))
      order.push('other')
      const held = await retry
      expect(other.status).toBe(200)
      expect(order).toEqual(['other', 'retry'])
      expect(held.answer.status).toBe(429)
      expect(held.heldMs).toBeGreaterThanOrEqual(450)

      // Retried at once each time: 429s until a hold reaches the end of the wait, then served.
      const statuses: number[] = []
      for (const deadline = refusedAt + 10_000; performance.now() < deadline && statuses.at(-1) !== 200; ) {
        statuses.push((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.40'))).status)
      }
      expect(statuses.at(-1)).toBe(200)
      expect(new Set(statuses.slice(0, -1))).toEqual(new Set(statuses.length > 1 ? [429] : []))
      expect(performance.now() - refusedAt).toBeGreaterThanOrEqual(retryAfterMs)
    } finally {
      await stack.close()
    }
  })
})

describe('GraphQL-over-HTTP audit with the edge at its defaults (rate limit on)', () => {
  it('still passes every MUST audit (0 errors), extensions.cost and RateLimit headers included', async () => {
    const stack = await startStack({ RATE_LIMIT_ENABLED: 'true' })
    try {
      const results = await Promise.all(serverAudits({ url: `${stack.bffUrl}/graphql` }).map((audit) => audit.fn()))
      // With the reason, status and body, so a failure says which refusal (if any) answered.
      const failed = await Promise.all(results.filter((result) => result.status === 'error').map(describeFailedAudit))
      expect(failed).toEqual([])
      const answer = await gql(stack, '{ __typename }')
      expect(answer.headers['ratelimit-policy']).toBe('"cost";q=1000;w=20')
    } finally {
      await stack.close()
    }
  })
})
