import { afterEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLogs, readiness, resilienceEnv } from './helpers.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const USER_ONLY = 'query User($userId: ID!) { home(userId: $userId) { user { id } } }'

describe('circuit breaker', () => {
  it('opens under failures (readiness 503), sends nothing while open, and closes after the cool-down once healed', async () => {
    const logs = captureLogs()
    stack = await startStack({ env: resilienceEnv({ DOWNSTREAM_BREAKER_COOLDOWN_MS: '1500' }), logger: logs.logger })
    const s = stack
    const users = s.mocks.urls.users
    await setFaults(users, { errorRate: 1, errorStatus: 503 })

    // Defaults: opens at >= 50 % failures over >= 20 calls in 10 s. Each query makes 2 failing attempts.
    await waitFor(
      async () => {
        await gql(s, USER_ONLY, { userId: '1' })
        return (await readiness(s)).body.downstreams.services['users']?.breaker === 'open'
      },
      { message: 'the users circuit to open' },
    )
    const open = await readiness(s)
    // users is the core service: without it the home screen cannot be served.
    expect(open.status).toBe(503)
    expect(open.body.status).toBe('unavailable')
    expect(open.body.downstreams.ready).toBe(false)
    expect(open.body.downstreams.services['users']).toMatchObject({ breaker: 'open', errorRatio: 1, inFlight: 0, queued: 0 })
    expect(open.body.downstreams.services['orders']).toMatchObject({ breaker: 'closed' })
    expect(logs.decisions('breaker_open', 'users')).toEqual([expect.objectContaining({ reqId: expect.any(String), from: 'closed' })])

    // While open: fail fast, no traffic at all.
    const before = (await mockStats(users)).requests
    for (let i = 0; i < 3; i++) {
      const answer = await gql(s, USER_ONLY, { userId: '1' })
      expect(answer.status).toBe(200)
      expect(answer.body.data).toEqual({ home: { user: null } })
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('DOWNSTREAM_CIRCUIT_OPEN')
    }
    expect((await mockStats(users)).requests).toBe(before)
    // Still open afterwards, so all three calls above were made while open.
    expect((await readiness(s)).body.downstreams.services['users']?.breaker).toBe('open')

    // Heal; after the cool-down, probes go through and their successes close the circuit.
    await setFaults(users, { errorRate: 0 })
    await waitFor(
      async () => {
        await gql(s, USER_ONLY, { userId: '1' })
        const ready = await readiness(s)
        return ready.status === 200 && ready.body.downstreams.services['users']?.breaker === 'closed'
      },
      { timeoutMs: 10_000, message: 'the users circuit to close' },
    )
    expect((await gql(s, USER_ONLY, { userId: '1' })).body).toEqual({ data: { home: { user: { id: '1' } } } })
    expect(logs.decisions('breaker_half_open', 'users')).toHaveLength(1)
    expect(logs.decisions('breaker_closed', 'users')).toEqual([expect.objectContaining({ reqId: expect.any(String), from: 'half-open' })])
  })

  it('does not count 4xx answers as failures', async () => {
    stack = await startStack(resilienceEnv({ DOWNSTREAM_BREAKER_MIN_CALLS: '5' }))
    // Unknown users are a 404 from the recommendations service: a healthy service saying no.
    for (let i = 0; i < 10; i++) {
      const answer = await gql(stack, 'query { home(userId: "999999") { recommendations { id } } }')
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    }
    const ready = await readiness(stack)
    expect(ready.body.downstreams.services['recommendations']).toMatchObject({ breaker: 'closed', errorRatio: 0 })
  })
})
