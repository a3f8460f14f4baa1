import Fastify from 'fastify'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CallContext } from '../../../src/downstream/call-context.js'
import { DownstreamError } from '../../../src/downstream/errors.js'
import { createServicePolicy, DEFAULT_RETRY, type ServicePolicyOptions } from '../../../src/downstream/resilience/service-policy.js'
import { createServiceCaller } from '../../../src/downstream/service-caller.js'
import { mockOrigin } from '../../helpers/mock-origin.js'

const ORIGIN = 'http://users.test'
let agent: MockAgent
let logs: Record<string, unknown>[]

beforeEach(() => {
  agent = new MockAgent({ keepAliveTimeout: 10 })
  agent.disableNetConnect()
  logs = []
})
afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

function context(overrides: Partial<CallContext> = {}): CallContext {
  // A real pino logger through fastify, so the assertions see exactly what production logs.
  const app = Fastify({ logger: { level: 'debug', stream: { write: (line: string) => logs.push(JSON.parse(line)) } } })
  return { requestId: 'req-1', signal: new AbortController().signal, log: app.log.child({ reqId: 'req-1' }), ...overrides }
}

function caller(policy: Partial<ServicePolicyOptions> = {}, timeouts: { timeoutMs?: number; attemptTimeoutMs?: number } = {}) {
  return createServiceCaller({
    service: 'users',
    dispatcher: mockOrigin(agent, ORIGIN),
    timeoutMs: timeouts.timeoutMs ?? 500,
    attemptTimeoutMs: timeouts.attemptTimeoutMs,
    policy: createServicePolicy({ service: 'users', ...policy }),
    random: () => 0,
  })
}

const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a failure'), (error: unknown) => error as DownstreamError)
const decisions = () => logs.map((line) => line['decision']).filter((decision) => decision !== undefined)

describe('createServiceCaller resilience', () => {
  it('retries an idempotent call once on 503 and logs the decision with service and request id', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/users/1', method: 'GET' }).reply(503, { error: 'injected_fault' })
    pool.intercept({ path: '/users/1', method: 'GET' }).reply(200, { id: '1' })
    await expect(caller().call({ method: 'GET', path: '/users/1' }, context())).resolves.toEqual({ id: '1' })
    expect(logs.filter((line) => line['decision'] === 'retry')).toEqual([
      expect.objectContaining({ service: 'users', reqId: 'req-1', retry: 1, code: 'DOWNSTREAM_UNAVAILABLE' }),
    ])
  })

  it('never retries POST or PUT', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/orders', method: 'POST' }).reply(503, {})
    pool.intercept({ path: '/inventory/1', method: 'PUT' }).reply(503, {})
    const users = caller()
    expect((await failure(users.call({ method: 'POST', path: '/orders', body: {} }, context()))).code).toBe(
      'DOWNSTREAM_UNAVAILABLE',
    )
    expect((await failure(users.call({ method: 'PUT', path: '/inventory/1', body: {} }, context()))).code).toBe(
      'DOWNSTREAM_UNAVAILABLE',
    )
    expect(decisions()).toEqual([])
  })

  it.each([404, 400, 500])('does not retry a %i', async (status) => {
    agent.get(ORIGIN).intercept({ path: '/users/1', method: 'GET' }).reply(status, {})
    await failure(caller().call({ method: 'GET', path: '/users/1' }, context()))
    expect(decisions()).toEqual([])
  })

  it('fails with the original error when the retry budget is spent', async () => {
    agent.get(ORIGIN).intercept({ path: '/users/1', method: 'GET' }).reply(503, {})
    const noBudget = caller({ retry: { ...DEFAULT_RETRY, budgetRatio: 0, minConcurrency: 0 } })
    const error = await failure(noBudget.call({ method: 'GET', path: '/users/1' }, context()))
    expect(error.code).toBe('DOWNSTREAM_UNAVAILABLE')
    expect(error.statusCode).toBe(503)
    expect(logs.find((line) => line['decision'] === 'retry_denied')).toMatchObject({ service: 'users', reqId: 'req-1', limit: 0 })
  })

  it('retries a timed-out attempt when the call budget leaves room for another', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/users/1', method: 'GET' }).reply(200, { late: true }).delay(300)
    pool.intercept({ path: '/users/1', method: 'GET' }).reply(200, { id: '1' })
    const users = caller({}, { timeoutMs: 1_000, attemptTimeoutMs: 50 })
    await expect(users.call({ method: 'GET', path: '/users/1' }, context())).resolves.toEqual({ id: '1' })
    expect(logs.find((line) => line['decision'] === 'retry')).toMatchObject({ code: 'DOWNSTREAM_TIMEOUT' })
  })

  it('fails fast with DOWNSTREAM_CIRCUIT_OPEN and sends nothing while the circuit is open', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/users/1', method: 'GET' }).reply(503, {}).times(2)
    const users = caller({ breaker: { minCalls: 2, cooldownMs: 60_000 } })
    await failure(users.call({ method: 'GET', path: '/users/1' }, context()))
    // No interceptor is left: a request sent now would fail with MockNotMatchedError, not CIRCUIT_OPEN.
    const error = await failure(users.call({ method: 'GET', path: '/users/1' }, context()))
    expect(error.code).toBe('DOWNSTREAM_CIRCUIT_OPEN')
    expect(decisions()).toEqual(['retry', 'circuit_rejected'])
  })

  it('does not call at all once the request deadline has passed', async () => {
    const error = await failure(caller().call({ method: 'GET', path: '/users/1' }, context({ deadline: { expiresAt: performance.now() - 1 } })))
    expect(error.code).toBe('DOWNSTREAM_TIMEOUT')
    expect(logs.find((line) => line['decision'] === 'deadline_abort')).toMatchObject({ service: 'users', reqId: 'req-1', inFlight: false })
  })

  it('gives the call min(its timeout, time left to the deadline)', async () => {
    // The policy's clock (performance.now) and the call's timers, under test control.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    try {
      agent.get(ORIGIN).intercept({ path: '/users/1', method: 'GET' }).reply(200, {}).delay(1_000)
      let settled = false
      const call = failure(caller().call({ method: 'GET', path: '/users/1' }, context({ deadline: { expiresAt: performance.now() + 60 } })))
      void call.finally(() => void (settled = true))
      await vi.advanceTimersByTimeAsync(59)
      expect(settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      const error = await call
      expect(error.code).toBe('DOWNSTREAM_TIMEOUT')
      expect(error.message).toMatch(/request deadline/)
      expect(logs.find((line) => line['decision'] === 'deadline_abort')).toMatchObject({ inFlight: true })
    } finally {
      vi.useRealTimers()
    }
  })

  it('validates its options', () => {
    expect(() => caller({}, { attemptTimeoutMs: 0 })).toThrow(/attemptTimeoutMs/)
    expect(() => caller({ retry: { ...DEFAULT_RETRY, maxRetries: -1 } })).toThrow(/maxRetries/)
  })
})
