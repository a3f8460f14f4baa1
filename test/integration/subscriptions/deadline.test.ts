import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { gql } from '../../helpers/stack.js'
import { subscribe, type Result } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor } from './harness.js'

/**
 * Websocket operations get the request deadline HTTP requests get: a call to
 * a service that never answers is cut off at REQUEST_DEADLINE_MS (here 300 ms),
 * long before the service's own time limit (20 s), which the results' 5 s
 * expiry could not wait for.
 */
const ENV = { REQUEST_DEADLINE_MS: '300', DOWNSTREAM_TIMEOUT_MS: '20000' }

async function hang(serviceUrl: string): Promise<void> {
  const response = await request(`${serviceUrl}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hangRate: 1 }),
  })
  await response.body.dump()
  expect(response.statusCode).toBe(200)
}

const codes = (result: Result): unknown[] =>
  (result.errors ?? []).map((error) => error.extensions?.['code'])

describe('request deadline over the websocket', () => {
  it('cuts off the downstream calls of a query sent over the socket', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks, { env: ENV })
    await hang(mocks.urls.users)
    const result = await subscribe(wsClientFor(bff), '{ user(id: "1") { name } }').next(5_000)
    expect(codes(result)).toEqual(['DOWNSTREAM_TIMEOUT'])
  })

  it('gives each event resolution of a subscription its own deadline', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks, { env: ENV })
    const orders = subscribe(wsClientFor(bff), 'subscription { orderStatusChanged(userId: "3") { order { id user { name } } } }')
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(1)
    await hang(mocks.urls.users)
    await gql({ bffUrl: bff.httpUrl }, 'mutation { placeOrder(input: { userId: "3", items: [{ productId: "7", quantity: 1 }] }) { id } }')
    expect(codes(await orders.next(5_000))).toEqual(['DOWNSTREAM_TIMEOUT'])
    // A later event is not born past the first one's deadline: it gets a deadline of its own.
    await gql({ bffUrl: bff.httpUrl }, 'mutation { placeOrder(input: { userId: "3", items: [{ productId: "8", quantity: 1 }] }) { id } }')
    expect(codes(await orders.next(5_000))).toEqual(['DOWNSTREAM_TIMEOUT'])
  })
})
