import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { scrape, total } from '../../helpers/metrics.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { gql, startStack, type Stack } from '../../helpers/stack.js'
import { connectRaw } from '../../helpers/ws-client.js'

/** The home example costs 20 points (rate-limit.test.ts checks it in extensions.cost). */
const HOME_COST = 20
/** `ids` asks for that many objects: 31 ids cost 31, one over the limit set below. */
const OVER_COST = `{ products(ids: [${Array.from({ length: 31 }, (_, i) => `"${i + 1}"`).join(', ')}]) { id } }`
const MAX_COST = '30'

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } })

/** An unlabelled histogram's count and sum, as the Prometheus text parser reads them. */
async function histogram(bffUrl: string, name: string): Promise<{ count: number; sum: number; buckets: Record<string, string> }> {
  const text = await (await request(`${bffUrl}/metrics`)).body.text()
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name)
  if (family?.type !== 'HISTOGRAM') throw new Error(`no histogram ${name}`)
  const [series] = family.metrics as [{ count: string; sum: string; buckets: Record<string, string> }]
  return { count: Number(series.count), sum: Number(series.sum), buckets: series.buckets }
}

let stack: Stack | undefined
let redis: RedisServer | undefined
afterEach(async () => {
  await stack?.close()
  await redis?.stop()
  stack = undefined
  redis = undefined
})

// A bucket of three home queries that, at 0.01 point a second, does not refill a point during the test.
const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_BURST: String(3 * HOME_COST),
  RATE_LIMIT_POINTS_PER_SECOND: '0.01',
  TRUST_PROXY: '127.0.0.1',
  GRAPHQL_MAX_COST: MAX_COST,
  RATE_LIMIT_EARLY_RETRY_DELAY_MS: '0',
}

describe('rate-limit decisions and operation cost in /metrics', () => {
  it('counts each bucket decision (HTTP and websocket alike), the cost of every priced operation, and a cost refusal', async () => {
    stack = await startStack(LIMITS)
    const admitted = 3
    const limited = 1
    const early = 2
    for (let i = 0; i < admitted; i += 1) expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.1'))).status).toBe(200)
    for (let i = 0; i < limited + early; i += 1) expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.1'))).status).toBe(429)
    // Over the websocket, from 127.0.0.1's own bucket: one admitted.
    const client = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
    try {
      client.send({ type: 'connection_init' })
      expect(await client.waitForMessage()).toMatchObject({ type: 'connection_ack' })
      client.send({ id: '1', type: 'subscribe', payload: { query: HOME_EXAMPLE.query } })
      expect(await client.waitForMessage()).toMatchObject({ id: '1', type: 'next' })
      expect(await client.waitForMessage()).toMatchObject({ id: '1', type: 'complete' })
    } finally {
      client.ws.close()
    }
    // Just over GRAPHQL_MAX_COST: refused, and charged to its own bucket all the same.
    const over = await gql(stack, OVER_COST, undefined, from('203.0.113.2'))
    expect(over.status).toBe(400)
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 31 })

    const metrics = await scrape(stack.bffUrl)
    expect(metrics.get('bff_rate_limit_decisions_total')?.type).toBe('COUNTER')
    expect(total(metrics, 'bff_rate_limit_decisions_total', { decision: 'admitted', store: 'local' })).toBe(admitted + 1 + 1)
    expect(total(metrics, 'bff_rate_limit_decisions_total', { decision: 'limited', store: 'local' })).toBe(limited)
    // Back before their Retry-After: refused before being read, so neither priced nor charged.
    expect(total(metrics, 'bff_rate_limit_early_retries_total', {})).toBe(early)
    expect(total(metrics, 'bff_rate_limit_decisions_total', { store: 'redis' })).toBe(0)
    expect(total(metrics, 'bff_operation_limit_refusals_total', { limit: 'cost' })).toBe(1)

    const cost = await histogram(stack.bffUrl, 'bff_graphql_operation_cost')
    expect(cost.count).toBe(admitted + limited + 1 + 1)
    expect(cost.sum).toBe((admitted + limited + 1) * HOME_COST + 31)
    // Cumulative buckets: the five priced home queries at le=20, the over-cost one only from le=50.
    expect(Number(cost.buckets['20'])).toBe(admitted + limited + 1)
    expect(Number(cost.buckets['50'])).toBe(admitted + limited + 2)
  })

  it('labels decisions by a shared Redis bucket store=redis, and by the fallback buckets while Redis is down store=local', async () => {
    redis = await startRedisServer()
    // A second for Redis to answer: on two busy shared cores the 50 ms default can fall back to the local buckets.
    stack = await startStack({ ...LIMITS, REDIS_URL: redis.url, RATE_LIMIT_REDIS_TIMEOUT_MS: '1000' })
    for (let i = 0; i < 3; i += 1) expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.3'))).status).toBe(200)
    expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.3'))).status).toBe(429)
    const metrics = await scrape(stack.bffUrl)
    expect(total(metrics, 'bff_rate_limit_decisions_total', { decision: 'admitted', store: 'redis' })).toBe(3)
    expect(total(metrics, 'bff_rate_limit_decisions_total', { decision: 'limited', store: 'redis' })).toBe(1)
    expect(total(metrics, 'bff_rate_limit_decisions_total', { store: 'local' })).toBe(0)

    await redis.kill()
    expect((await gql(stack, HOME_EXAMPLE.query, undefined, from('203.0.113.4'))).status).toBe(200)
    const during = await scrape(stack.bffUrl)
    expect(total(during, 'bff_rate_limit_decisions_total', { decision: 'admitted', store: 'local' })).toBe(1)
    expect(total(during, 'bff_rate_limit_decisions_total', { store: 'redis' })).toBe(4)
  })

  it('records nothing and serves no /metrics with METRICS_ENABLED=false, while the gate still limits', async () => {
    stack = await startStack({ ...LIMITS, METRICS_ENABLED: 'false' })
    for (let i = 0; i < 3; i += 1) expect((await gql(stack, HOME_EXAMPLE.query)).status).toBe(200)
    expect((await gql(stack, HOME_EXAMPLE.query)).status).toBe(429)
    expect((await request(`${stack.bffUrl}/metrics`)).statusCode).toBe(404)
  })
})
