import { connect } from 'node:net'
import { request } from 'undici'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { connectRaw, expectRefusedUpgradeClosed } from '../../helpers/ws-client.js'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLogs, readiness } from '../resilience/helpers.js'
import { doublingFragments, nestedFields } from './documents.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const codes = (body: { errors?: { extensions?: { code?: string } }[] }) => [...new Set(body.errors?.map((error) => error.extensions?.code))]

/** The probe's wide query: one anonymous request that used to make 385 calls and open the orders breaker. */
const WIDE = `{ search(query: "a", first: 100) { edges { node { reviews(first: 100) { edges { node {
  author { followers(first: 100) { orders(first: 100) { edges { node { id status } } } } } } } } } } } }`

async function downstreamCalls(s: Stack): Promise<number> {
  const stats = await Promise.all(Object.values(s.mocks.urls).map((url) => mockStats(url)))
  return stats.reduce((sum, stat) => sum + stat.requests, 0)
}

describe('protection against one caller spending for all', () => {
  it('cuts a wide query at its downstream call budget: refused fields are coded, nothing more is sent, no breaker opens', async () => {
    // The cost limit refuses WIDE before it runs; off here, so the budget behind it is what is tested.
    stack = await startStack({ CACHE_ENABLED: 'false', REQUEST_MAX_DOWNSTREAM_CALLS: '20', GRAPHQL_MAX_COST: '0' })
    const s = stack
    const before = await downstreamCalls(s)
    const answers = await Promise.all(Array.from({ length: 5 }, () => gql(s, WIDE)))
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(codes(answer.body)).toContain('DOWNSTREAM_BUDGET_EXCEEDED')
    }
    // Each operation sent at most its budget (search, then reviews until the budget ran out).
    expect((await downstreamCalls(s)) - before).toBeLessThanOrEqual(5 * 20)
    const ready = await readiness(s)
    for (const service of Object.values(ready.body.downstreams.services)) expect(service.breaker).toBe('closed')
    // Just inside the budget, the home query's 8 calls all go out.
    const home = await gql(s, '{ home(userId: "1") { user { name } recentOrders(first: 2) { id items { product { name price { formatted } } } } notifications { unreadCount } } }')
    expect(home.body.errors).toBeUndefined()
  })

  it('a query needing exactly the budget passes, one call more is refused', async () => {
    // product(id) with price: one catalog and one inventory call.
    stack = await startStack({ CACHE_ENABLED: 'false', REQUEST_MAX_DOWNSTREAM_CALLS: '2' })
    const inside = await gql(stack, '{ product(id: "1") { name price { formatted } } }')
    expect(inside.body.errors).toBeUndefined()
    const outside = await gql(stack, '{ product(id: "1") { name price { formatted } reviews(first: 1) { totalCount } } }')
    expect(codes(outside.body)).toEqual(['DOWNSTREAM_BUDGET_EXCEEDED'])
  })
})

describe('client-facing messages', () => {
  it('name no service, URL or setting; the logs carry them with the request id', async () => {
    const logs = captureLogs()
    stack = await startStack({ env: { CACHE_ENABLED: 'false', DOWNSTREAM_RETRY_MAX: '0' }, logger: logs.logger })
    await setFaults(stack.mocks.urls.catalog, { errorRate: 1, errorStatus: 500 })
    const failed = await gql(stack, '{ product(id: "1") { name } }')
    expect(codes(failed.body)).toEqual(['DOWNSTREAM_ERROR'])
    expect(failed.body.errors?.[0]?.message).toBe('A service this data depends on failed.')
    await setFaults(stack.mocks.urls.catalog, { errorRate: 0, hangRate: 1 })
    const hung = await startStack({ CACHE_ENABLED: 'false', DOWNSTREAM_TIMEOUT_MS: '150', DOWNSTREAM_RETRY_MAX: '0' })
    try {
      await setFaults(hung.mocks.urls.catalog, { hangRate: 1 })
      const timedOut = await gql(hung, '{ product(id: "1") { name } }')
      expect(codes(timedOut.body)).toEqual(['DOWNSTREAM_TIMEOUT'])
      expect(JSON.stringify(timedOut.body)).not.toMatch(/catalog|150 ms|127\.0\.0\.1/)
    } finally {
      await hung.close()
    }
    expect(JSON.stringify(failed.body)).not.toMatch(/catalog|127\.0\.0\.1/)
    const line = logs.lines.find((entry) => entry['msg'] === 'downstream field error')
    expect(line).toMatchObject({ service: 'catalog', code: 'DOWNSTREAM_ERROR', status: 500, reqId: expect.any(String) })
  })
})

describe('slow clients', () => {
  it('cuts a request body trickling in slower than SERVER_REQUEST_TIMEOUT_MS with 408 REQUEST_TIMEOUT', async () => {
    stack = await startStack({ SERVER_REQUEST_TIMEOUT_MS: '500' })
    const port = Number(new URL(stack.bffUrl).port)
    const started = Date.now()
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () =>
        new Promise<{ answer: string; openMs: number }>((resolve) => {
          let answer = ''
          const socket = connect(port, '127.0.0.1', () => {
            socket.write('POST /graphql HTTP/1.1\r\nHost: bff\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{')
          })
          // One byte at a time, always within the idle timeout: only the request timeout can end this.
          const drip = setInterval(() => socket.writable && socket.write(' '), 100)
          socket.on('data', (chunk) => (answer += String(chunk)))
          socket.on('error', () => undefined)
          socket.on('close', () => {
            clearInterval(drip)
            resolve({ answer, openMs: Date.now() - started })
          })
        }),
      ),
    )
    for (const { answer } of sockets) {
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"')
    }
    // The server is still there for everyone else.
    expect((await gql(stack, '{ __typename }')).status).toBe(200)
  })
})

/**
 * Resolves in the loop turn right after the load-shedding sampler has taken a
 * sample (its heap reading changes), before the delay monitor has turned twice.
 */
function justAfterPressureSample(app: FastifyInstance, timeoutMs = 5_000): Promise<void> {
  const seen = app.memoryUsage().heapUsed
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const check = () => {
      if (app.memoryUsage().heapUsed !== seen) resolve()
      else if (Date.now() > deadline) reject(new Error('no pressure sample was taken'))
      else setImmediate(check)
    }
    setImmediate(check)
  })
}

/**
 * Resolves true in the first loop turn in which the sampler reports an
 * interval that held no delay sample at all; false if none comes by the deadline.
 */
function whileDelayUnknown(app: FastifyInstance, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve) => {
    const check = () => {
      if (app.memoryUsage().eventLoopDelay === Infinity) resolve(true)
      else if (Date.now() > deadline) resolve(false)
      else setImmediate(check)
    }
    setImmediate(check)
  })
}

/**
 * Holds the event loop from the turn right after a sample past the next one,
 * and resolves in the turn where the sampler reports that interval as empty.
 * The delay monitor's own timer can still slip in a sample between the
 * sampler's reset and the hold on a busy machine; then the interval is not
 * empty, and the hold is tried again.
 */
async function holdThroughEmptyInterval(app: FastifyInstance, intervalMs: number): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await justAfterPressureSample(app)
    const until = Date.now() + intervalMs * 2 + 100
    while (Date.now() < until) {
      // busy: a hold longer than the sample interval, starting before the delay monitor has a sample
    }
    if (await whileDelayUnknown(app, intervalMs * 3)) return
  }
  throw new Error('the sampler never reported an empty interval in 5 holds')
}

describe('load shedding', () => {
  it('answers 503 SERVER_OVERLOADED with Retry-After while the event loop lags (websocket upgrades too, their connection closed), with health answering and saying why', async () => {
    stack = await startStack({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '40', PRESSURE_SAMPLE_INTERVAL_MS: '50', PRESSURE_RETRY_AFTER_S: '3' })
    const s = stack
    // The app runs in this process: blocking it here is the lagging event loop.
    const lag = setInterval(() => {
      const until = Date.now() + 80
      while (Date.now() < until) {
        // busy: the lag under test
      }
    }, 20)
    try {
      const shed = await waitFor(
        async () => {
          const response = await request(`${s.bffUrl}/graphql?query=%7B__typename%7D`)
          const body = (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] }
          return response.statusCode === 503 ? { response, body } : null
        },
        { message: 'a request to be shed' },
      )
      expect(shed.response.headers['retry-after']).toBe('3')
      expect(codes(shed.body)).toEqual(['SERVER_OVERLOADED'])
      expect((await request(`${s.bffUrl}/health/live`)).statusCode).toBe(200)
      const ready = await waitFor(async () => {
        const response = await request(`${s.bffUrl}/health/ready`)
        const body = (await response.body.json()) as { pressure?: { shedding?: boolean; over?: string[] } }
        return body.pressure?.shedding === true ? { status: response.statusCode, body } : null
      })
      expect(ready.status).toBe(503)
      expect(ready.body.pressure?.over).toEqual(['eventLoopDelay'])
      await expectRefusedUpgradeClosed(`${s.bffUrl.replace(/^http/, 'ws')}/graphql`, 503, 'a websocket upgrade while shedding')
    } finally {
      clearInterval(lag)
    }
    await waitFor(async () => (await request(`${s.bffUrl}/graphql?query=%7B__typename%7D`)).statusCode === 200, {
      message: 'shedding to stop once the loop is idle',
    })
  })

  it.each([
    { limitMs: '10000', status: 200, shedding: false, reading: 'proves only a hold of one interval, under the limit: served' },
    { limitMs: '150', status: 503, shedding: true, reading: 'proves a hold of one interval, which reaches the limit: shed' },
  ])('an interval with no delay sample (the loop held from just after one sample past the next) $reading', async ({ limitMs, status, shedding }) => {
    stack = await startStack({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: limitMs, PRESSURE_SAMPLE_INTERVAL_MS: '150' })
    const { app } = stack
    await holdThroughEmptyInterval(app, 150)
    // inject runs without a timer turn, so both requests meet the empty interval's reading.
    const [query, ready] = await Promise.all([app.inject({ url: '/graphql?query=%7B__typename%7D' }), app.inject({ url: '/health/ready' })])
    expect(query.statusCode).toBe(status)
    expect((ready.json() as { pressure?: { shedding?: boolean } }).pressure?.shedding).toBe(shedding)
  })
})

describe('the websocket endpoint answers hostile documents like HTTP', () => {
  it('codes an unknown operation BAD_REQUEST and answers the doubling fragments, on an open connection', async () => {
    stack = await startStack()
    const client = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
    client.send({ type: 'connection_init' })
    expect((await client.waitForMessage()).type).toBe('connection_ack')
    client.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', operationName: 'Nope' } })
    const refused = await client.waitForMessage()
    expect(refused).toMatchObject({ id: '1', type: 'error', payload: [{ extensions: { code: 'BAD_REQUEST' } }] })
    client.send({ id: '2', type: 'subscribe', payload: { query: doublingFragments(40) } })
    expect(await client.waitForMessage()).toMatchObject({ id: '2', type: 'next', payload: { data: { product: { name: expect.any(String) } } } })
    expect(await client.waitForMessage()).toMatchObject({ id: '2', type: 'complete' })
    client.send({ id: '3', type: 'subscribe', payload: { query: nestedFields(5_000) } })
    expect(await client.waitForMessage()).toMatchObject({ id: '3', type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] })
    client.send({ id: '4', type: 'subscribe', payload: { query: 'query A { __typename } query B { __typename }' } })
    expect(await client.waitForMessage()).toMatchObject({ id: '4', type: 'error', payload: [{ extensions: { code: 'BAD_REQUEST' } }] })
    // graphql-js throws validating a conditional subscription root: an error for the operation, the socket stays.
    client.send({
      id: '5',
      type: 'subscribe',
      payload: { query: 'subscription($v: Boolean!) { stockChanged(productIds: ["1"]) @include(if: $v) { eventId } }', variables: { v: true } },
    })
    expect(await client.waitForMessage()).toMatchObject({ id: '5', type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] })
    client.send({ id: '6', type: 'subscribe', payload: { query: '{ __typename }' } })
    expect(await client.waitForMessage()).toMatchObject({ id: '6', type: 'next' })
    client.ws.close()
  })

  it('closes with 4400 (not 4500) when a client sends a message only a server sends', async () => {
    stack = await startStack()
    for (const message of [{ type: 'connection_ack' }, { id: '1', type: 'next', payload: {} }]) {
      const client = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
      client.send({ type: 'connection_init' })
      expect((await client.waitForMessage()).type).toBe('connection_ack')
      client.send(message)
      expect((await client.waitForClose()).code).toBe(4400)
    }
  })
})
