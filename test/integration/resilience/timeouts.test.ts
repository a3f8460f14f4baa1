import { afterEach, describe, expect, it } from 'vitest'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { captureLogs, resilienceEnv } from './helpers.js'

const HOME = `query Home($userId: ID!) {
  home(userId: $userId) {
    user { id }
    recentOrders(first: 3) { id }
    notifications { unreadCount }
  }
}`

/**
 * Scheduling slack on a shared 2-core machine: timers fire late, never early.
 * The bounds below are "timeout ≤ elapsed < timeout + SLACK_MS", and SLACK_MS
 * stays far below the next-larger limit in each test, so a pass still proves
 * which limit ended the call.
 */
const SLACK_MS = 400

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

/** The error under `home.<field>` (NotificationFeed.unreadCount is non-null, so its error sits one level down). */
const errorAt = (answer: Awaited<ReturnType<typeof gql>>, field: string) =>
  answer.body.errors?.find((error) => error.path?.slice(0, 2).join('.') === `home.${field}`)

describe('a hanging service', () => {
  it('fails its field with DOWNSTREAM_TIMEOUT at about its timeout; the rest of the response is complete and within the deadline', async () => {
    stack = await startStack(resilienceEnv({ NOTIFICATIONS_TIMEOUT_MS: '300', REQUEST_DEADLINE_MS: '1500' }))
    await setFaults(stack.mocks.urls.notifications, { hangRate: 1 })

    const started = performance.now()
    const answer = await gql(stack, HOME, { userId: '1' })
    const elapsed = performance.now() - started

    expect(answer.status).toBe(200)
    expect(errorAt(answer, 'notifications')?.extensions?.code).toBe('DOWNSTREAM_TIMEOUT')
    const home = answer.body.data?.['home'] as Record<string, unknown>
    expect(home['notifications']).toBeNull()
    expect(home['user']).toEqual({ id: '1' })
    expect(Array.isArray(home['recentOrders'])).toBe(true)
    // The timeout is the call's whole budget: a timed-out attempt leaves no time for a retry.
    expect(elapsed).toBeGreaterThanOrEqual(300)
    expect(elapsed).toBeLessThan(300 + SLACK_MS)
    expect((await mockStats(stack.mocks.urls.notifications)).requests).toBe(1)
    // The timeout unsubscribed, which aborted the undici request: the mock sees the client leave.
    await waitFor(async () => (await mockStats((stack as Stack).mocks.urls.notifications)).inFlight === 0, {
      timeoutMs: 1_000,
      message: 'notifications inFlight back to 0',
    })
  })
})

describe('aborts end the downstream requests', () => {
  it('the request deadline aborts outstanding legs (DOWNSTREAM_TIMEOUT, mock inFlight back to 0), logged once with service and request id', async () => {
    const logs = captureLogs()
    // The service's own timeout (5 s) is far beyond the deadline: only the deadline can end this call in time.
    stack = await startStack({ env: resilienceEnv({ NOTIFICATIONS_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '400' }), logger: logs.logger })
    await setFaults(stack.mocks.urls.notifications, { hangRate: 1 })

    const started = performance.now()
    const answer = await gql(stack, HOME, { userId: '1' }, { headers: { 'x-request-id': 'deadline-test-1' } })
    const elapsed = performance.now() - started

    expect(answer.status).toBe(200)
    expect(errorAt(answer, 'notifications')?.extensions?.code).toBe('DOWNSTREAM_TIMEOUT')
    expect((answer.body.data?.['home'] as Record<string, unknown>)['user']).toEqual({ id: '1' })
    expect(elapsed).toBeGreaterThanOrEqual(400)
    expect(elapsed).toBeLessThan(400 + SLACK_MS)
    await waitFor(async () => (await mockStats((stack as Stack).mocks.urls.notifications)).inFlight === 0, {
      timeoutMs: 1_000,
      message: 'notifications inFlight back to 0',
    })
    expect(logs.decisions('deadline_abort', 'notifications')).toEqual([
      expect.objectContaining({ reqId: 'deadline-test-1', inFlight: true, service: 'notifications' }),
    ])
  })

  it('a client abort ends the downstream requests (mock inFlight back to 0) long before any timeout', async () => {
    stack = await startStack(resilienceEnv({ NOTIFICATIONS_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '20000' }))
    await setFaults(stack.mocks.urls.notifications, { hangRate: 1 })
    const notifications = stack.mocks.urls.notifications

    const controller = new AbortController()
    const pending = gql(stack, HOME, { userId: '1' }, { signal: controller.signal }).catch((error: unknown) => error)
    await waitFor(async () => (await mockStats(notifications)).inFlight === 1, { message: 'the hanging call to arrive' })
    const aborted = performance.now()
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    await waitFor(async () => (await mockStats(notifications)).inFlight === 0, {
      timeoutMs: 2_000,
      message: 'notifications inFlight back to 0 after the client left',
    })
    // Far below the 10 s timeout: the abort, not a timer, ended the call.
    expect(performance.now() - aborted).toBeLessThan(2_000)
  })
})
