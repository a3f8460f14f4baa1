import { buildSchema, getOperationAST, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { callerKey, createOperationGate } from '../../../src/edge/operation-gate.js'
import { createRateLimiter } from '../../../src/edge/rate-limiter.js'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'

const schema = buildSchema(loadSchemaSdl())

function charge(query: string, caller: string, skipCostLimit = false) {
  const document = parse(query)
  const operation = getOperationAST(document)
  if (!operation) throw new Error('one operation expected')
  return { schema, document, operation, variables: {}, caller, skipCostLimit }
}

const config = { enabled: true, burst: 30, pointsPerSecond: 1, instancesHint: 1, redisTimeoutMs: 50, redisRetryMs: 1_000, keyPrefix: '', maxBuckets: 10, earlyRetryDelayMs: 0 }

describe('operation gate', () => {
  it('keys verified callers by subject and anonymous ones by address, so neither shares the other bucket', async () => {
    expect(callerKey('user-1', '10.0.0.1')).toBe('sub:user-1')
    expect(callerKey(null, '10.0.0.1')).toBe('ip:10.0.0.1')
    const gate = createOperationGate({ maxCost: 0, limiter: createRateLimiter({ config, redis: null, now: () => 0 }) })
    const query = '{ products(ids: ["1","2","3","4","5","6","7","8","9","10"]) { id } }'
    for (let i = 0; i < 3; i += 1) expect((await gate.admit(charge(query, callerKey('user-1', '10.0.0.1')))).admitted).toBe(true)
    const refused = await gate.admit(charge(query, callerKey('user-1', '10.0.0.1')))
    expect(refused).toMatchObject({ admitted: false, status: 429, headers: { 'retry-after': '10' } })
    expect((await gate.admit(charge(query, callerKey('user-2', '10.0.0.1')))).admitted).toBe(true)
    expect((await gate.admit(charge(query, callerKey(null, '10.0.0.1')))).admitted).toBe(true)
  })

  it('refuses above the cost limit unless the caller is trusted, and charges both all the same', async () => {
    const gate = createOperationGate({ maxCost: 10, limiter: createRateLimiter({ config, redis: null, now: () => 0 }) })
    const query = '{ products(ids: ["1","2","3","4","5","6","7","8","9","10","11"]) { id } }'
    const refused = await gate.admit(charge(query, 'a'))
    expect(refused).toMatchObject({
      admitted: false,
      status: 400,
      cost: { requestedQueryCost: 11, throttleStatus: { maximumAvailable: 30, currentlyAvailable: 19, restoreRate: 1 } },
    })
    if (refused.admitted) throw new Error('refused expected')
    expect(refused.error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 11, maxCost: 10 })
    const trusted = await gate.admit(charge(query, 'a', true))
    expect(trusted).toMatchObject({
      admitted: true,
      cost: { requestedQueryCost: 11, throttleStatus: { maximumAvailable: 30, currentlyAvailable: 8, restoreRate: 1 } },
      headers: { 'ratelimit-policy': '"cost";q=30;w=30', ratelimit: '"cost";r=8;t=22' },
    })
  })

  it('answers a caller who keeps sending over-cost documents RATE_LIMITED, and notes its Retry-After until it has passed', async () => {
    let nowMs = 0
    const now = (): number => nowMs
    const gate = createOperationGate({ maxCost: 10, limiter: createRateLimiter({ config, redis: null, now }), now })
    const overCost = '{ products(ids: ["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16"]) { id } }'
    expect(await gate.admit(charge(overCost, 'a'))).toMatchObject({ admitted: false, status: 400 })
    expect(gate.waitLeftMs('a')).toBe(0)
    const limited = await gate.admit(charge(overCost, 'a'))
    // 14 points left, 16 asked: 2 points at 1 a second.
    expect(limited).toMatchObject({ admitted: false, status: 429, headers: { 'retry-after': '2' } })
    if (limited.admitted) throw new Error('refused expected')
    expect(limited.error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2_000 })
    expect(gate.waitLeftMs('a')).toBe(2_000)
    expect(gate.waitLeftMs('b')).toBe(0)
    nowMs = 1_999
    expect(gate.waitLeftMs('a')).toBe(1)
    nowMs = 2_000
    expect(gate.waitLeftMs('a')).toBe(0)
  })

  it('keeps no note without a rate limiter', async () => {
    const gate = createOperationGate({ maxCost: 10, limiter: null })
    const overCost = '{ products(ids: ["1","2","3","4","5","6","7","8","9","10","11"]) { id } }'
    expect(await gate.admit(charge(overCost, 'a'))).toMatchObject({ admitted: false, status: 400, headers: {} })
    expect(gate.waitLeftMs('a')).toBe(0)
  })
})
