import { MockAgent, type Dispatcher } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sendHttp, type HttpCall } from '../../../src/downstream/http-exchange.js'
import { mockOrigin } from '../../helpers/mock-origin.js'

const ORIGIN = 'http://users.test'
let agent: MockAgent

beforeEach(() => {
  agent = new MockAgent({ keepAliveTimeout: 10 })
  agent.disableNetConnect()
})
afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

function send(dispatcher: Dispatcher, call: HttpCall): Promise<{ statusCode: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    sendHttp(dispatcher, call, { answer: (statusCode, body) => resolve({ statusCode, body }), fail: reject })
  })
}

describe('sendHttp', () => {
  it('sends the headers and answers the status and the parsed body', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/users?ids=1', method: 'GET', headers: { 'x-request-id': 'r1' } }).reply(200, { users: [] })
    await expect(send(mockOrigin(agent, ORIGIN), { method: 'GET', path: '/users?ids=1', headers: { 'x-request-id': 'r1' } })).resolves.toEqual({
      statusCode: 200,
      body: { users: [] },
    })
  })

  it('answers null for an empty body', async () => {
    agent.get(ORIGIN).intercept({ path: '/x', method: 'GET' }).reply(204, '')
    await expect(send(mockOrigin(agent, ORIGIN), { method: 'GET', path: '/x' })).resolves.toEqual({ statusCode: 204, body: null })
  })

  it('sends JSON bodies with a content type', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/orders', method: 'POST', body: '{"userId":"1"}', headers: { 'content-type': 'application/json' } })
      .reply(201, { id: '9' })
    await expect(send(mockOrigin(agent, ORIGIN), { method: 'POST', path: '/orders', body: { userId: '1' } })).resolves.toEqual({
      statusCode: 201,
      body: { id: '9' },
    })
  })

  it('reads non-2xx bodies too (an unread body would pin the socket)', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/x', method: 'GET' }).reply(503, { error: 'injected_fault' })
    await expect(send(mockOrigin(agent, ORIGIN), { method: 'GET', path: '/x' })).resolves.toEqual({
      statusCode: 503,
      body: { error: 'injected_fault' },
    })
  })

  it('fails on invalid JSON instead of emitting garbage', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/x', method: 'GET' }).reply(200, '{not json')
    await expect(send(mockOrigin(agent, ORIGIN), { method: 'GET', path: '/x' })).rejects.toThrow(SyntaxError)
  })
  // Cancelling is proven against a real server in test/integration/graphql/fanout.test.ts
  // (the mock's inFlight drops to 0), where it can fail; MockAgent cannot observe the abort.
})
