import { afterEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { captureLogs, maxOverlap, recentRequests, resilienceEnv } from './helpers.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const RECOMMENDATIONS = 'query Recs($userId: ID!) { home(userId: $userId) { recommendations(first: 2) { id } } }'
const LATENCY_MS = 600

describe('bulkhead (fixed concurrency)', () => {
  it('with a tiny cap and a slow service, excess calls fail fast with DOWNSTREAM_OVERLOADED and the mock never sees more than the cap', async () => {
    const logs = captureLogs()
    stack = await startStack({
      env: resilienceEnv({
        DOWNSTREAM_CONCURRENCY: 'fixed',
        RECOMMENDATIONS_BULKHEAD_CONCURRENCY: '2',
        RECOMMENDATIONS_BULKHEAD_QUEUE: '1',
        RECOMMENDATIONS_TIMEOUT_MS: '3000',
        REQUEST_DEADLINE_MS: '4000',
      }),
      logger: logs.logger,
    })
    const s = stack
    const url = s.mocks.urls.recommendations
    // Warm-up (sockets, query compilation) so the timings below measure the bulkhead, not a cold start.
    await gql(s, RECOMMENDATIONS, { userId: '1' })
    await setFaults(url, { latencyMs: LATENCY_MS })

    let done = false
    const load = Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const answer = await gql(s, RECOMMENDATIONS, { userId: String(i + 1) })
        return { answer, receivedAt: performance.now() }
      }),
    ).finally(() => {
      done = true
    })
    // Sample the mock's live gauge for as long as the load runs.
    let maxInFlight = 0
    while (!done) maxInFlight = Math.max(maxInFlight, (await mockStats(url)).inFlight)
    const results = await load

    const overloaded = results.filter((r) => r.answer.body.errors?.[0]?.extensions?.code === 'DOWNSTREAM_OVERLOADED')
    const served = results.filter((r) => r.answer.body.errors === undefined)
    expect(results.every((r) => r.answer.status === 200)).toBe(true)
    expect(overloaded.length + served.length).toBe(10)
    // 2 running + 1 queued admitted per 600 ms round; the 10 queries arrive well within one round.
    expect(overloaded.length).toBeGreaterThanOrEqual(1)
    for (const { answer } of overloaded) {
      // Optional data: the rejected leg falls back to an empty list plus the error entry.
      expect(answer.body.data).toEqual({ home: { recommendations: [] } })
    }
    // Fail fast, shown by order rather than by a wall-clock bound (the machine is shared): every rejection
    // reached the client before any admitted call could finish its 600 ms at the slow service...
    const firstServed = Math.min(...served.map((r) => r.receivedAt))
    expect(Math.max(...overloaded.map((r) => r.receivedAt))).toBeLessThan(firstServed)
    // ...and each was decided at admission, against a full bulkhead (2 running, 1 queued).
    for (const rejection of logs.decisions('bulkhead_rejected')) {
      expect(rejection).toMatchObject({ service: 'recommendations', reqId: expect.any(String), inFlight: 2, queued: 1 })
    }
    expect(maxInFlight).toBeLessThanOrEqual(2)
    const recs = (await recentRequests(url)).filter((r) => r.route === 'GET /users/:userId/recommendations')
    expect(recs).toHaveLength(served.length + 1)
    expect(maxOverlap(recs)).toBeLessThanOrEqual(2)
    expect(logs.decisions('bulkhead_rejected', 'recommendations')).toHaveLength(overloaded.length)
  })
})
