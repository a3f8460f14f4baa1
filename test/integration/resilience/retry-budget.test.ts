import { afterEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { captureLogs, resilienceEnv } from './helpers.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const ORDERS_ONLY = 'query Orders($userId: ID!) { home(userId: $userId) { recentOrders(first: 3) { id } } }'

describe('retry budget', () => {
  it('a service failing 100 % receives at most (1 + 20 %) × the calls attempted, plus the floor of 3', async () => {
    const logs = captureLogs()
    stack = await startStack({
      env: resilienceEnv({
        // Breaker out of the way (covered in breaker.test.ts): this test isolates the budget.
        DOWNSTREAM_BREAKER_MIN_CALLS: '1000000',
        // Let all N first attempts run at once: the budget, not the bulkhead or the pool, is under test.
        ORDERS_BULKHEAD_CONCURRENCY: '500',
        ORDERS_CONNECTIONS: '256',
        // Room for 500 ms + backoff + 500 ms on a loaded machine, so every call ends on the 503, not a timeout.
        ORDERS_TIMEOUT_MS: '3000',
        REQUEST_DEADLINE_MS: '5000',
      }),
      logger: logs.logger,
    })
    await setFaults(stack.mocks.urls.orders, { errorRate: 1, errorStatus: 503, latencyMs: 500 })

    // N calls start together and each fails after 500 ms. A granted retry holds its token for backoff
    // (< 25 ms) plus a 500 ms attempt, so no token is returned before every first attempt has failed,
    // as long as the N calls start within 500 ms of each other (they start within tens of ms). Calls in
    // flight never exceed N, so at most max(3, 0.2 · N) = 12 retries are ever granted:
    // requests ≤ N + 12 = (1 + 0.2) · N.
    const N = 60
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => gql(stack as Stack, ORDERS_ONLY, { userId: String(i + 1) })))

    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.body.data).toEqual({ home: { recentOrders: null } })
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('DOWNSTREAM_UNAVAILABLE')
    }
    const { requests } = await mockStats(stack.mocks.urls.orders)
    expect(requests).toBeGreaterThanOrEqual(N)
    expect(requests).toBeLessThanOrEqual(N + Math.max(3, 0.2 * N))
    // Every first attempt failed with a retryable 503: each call was either retried or denied, once.
    const retried = logs.decisions('retry', 'orders').length
    const denied = logs.decisions('retry_denied', 'orders')
    expect(retried).toBe(requests - N)
    expect(retried + denied.length).toBe(N)
    expect(denied[0]).toMatchObject({ service: 'orders', reqId: expect.any(String), limit: expect.any(Number) })
  })
})

describe('mutations are never retried', () => {
  it('the mock sees exactly one POST even when it fails, while a GET to the same service is retried', async () => {
    stack = await startStack(resilienceEnv())
    await setFaults(stack.mocks.urls.orders, { errorRate: 1, errorStatus: 503 })

    const mutation = await gql(stack, 'mutation { placeOrder(input: { userId: "1", items: [{ productId: "1", quantity: 1 }] }) { id } }')
    expect(mutation.status).toBe(200)
    expect(mutation.body.data).toBeNull()
    expect(mutation.body.errors?.[0]?.extensions?.code).toBe('DOWNSTREAM_UNAVAILABLE')
    expect((await mockStats(stack.mocks.urls.orders)).byRoute).toEqual({ 'POST /orders': 1 })

    // Control: retries are on in this configuration, so the single POST is the policy, not a setting.
    await gql(stack, ORDERS_ONLY, { userId: '1' })
    expect((await mockStats(stack.mocks.urls.orders)).byRoute).toEqual({ 'POST /orders': 1, 'GET /users/:userId/orders': 2 })
  })
})
