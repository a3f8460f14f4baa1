import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMocks, type RunningMocks } from '../../mocks/start-mocks.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { freshQuery, freshRequest, startBffProcess, type BffProcess } from '../helpers/bff-process.js'
import { setFaults } from '../helpers/stack.js'
import { waitFor } from '../helpers/wait-for.js'
import { createWsClient, subscribe } from '../helpers/ws-client.js'

const SHUTDOWN_DELAY_MS = 1_500

/** Resolves with the connection error code, or null when the port accepted. */
function connectOutcome(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(null)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
  })
}

/**
 * SIGTERM to a real `node dist/src/server.js`, watched from outside: not
 * ready at once, still serving for SHUTDOWN_DELAY_MS, then no new
 * connections, the request in flight answered, the websocket closed with 1012,
 * and a clean exit.
 */
describe('SIGTERM with SHUTDOWN_DELAY_MS', () => {
  let mocks: RunningMocks
  let bff: BffProcess

  beforeAll(async () => {
    mocks = await startMocks({ ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) })
    bff = await startBffProcess(mocks.urls, {
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      // The slow request below must outlast the delay without hitting a time limit.
      USERS_TIMEOUT_MS: '20000',
      REQUEST_DEADLINE_MS: '20000',
    })
  }, 240_000)
  afterAll(async () => {
    await bff?.child.stop()
    await mocks?.close()
  })

  it('leaves the balancer first, then drains HTTP and closes websockets with 1012', async () => {
    const closed = new Promise<{ code: number; at: number }>((resolve) => {
      const client = createWsClient(`ws://127.0.0.1:${bff.port}/graphql`, {
        on: { closed: (event) => resolve({ code: (event as { code: number }).code, at: Date.now() }) },
      })
      subscribe(client, 'subscription { orderStatusChanged(userId: "1") { eventId } }')
    })
    await waitFor(async () => {
      const { body } = await freshRequest(`${bff.origin}/health/ready`)
      return (body as { subscriptions: { subscriptions: number } }).subscriptions.subscriptions === 1
    })

    const sigtermAt = Date.now()
    bff.child.process.kill('SIGTERM')
    const notReady = await waitFor(async () => {
      const answer = await freshRequest(`${bff.origin}/health/ready`)
      return answer.status === 503 ? answer : null
    })
    expect(notReady.body).toMatchObject({ status: 'unavailable', shutdown: { ready: false, draining: true } })

    // Still accepting and serving new connections during the delay.
    const served = await freshQuery(bff.origin, '{ product(id: "42") { name } }')
    expect(served).toMatchObject({ status: 200, body: { data: { product: { name: expect.any(String) } } } })
    expect(Date.now() - sigtermAt).toBeLessThan(SHUTDOWN_DELAY_MS)

    // A request still running when the delay ends: users answers after twice the delay.
    await setFaults(mocks.urls.users, { latencyMs: 2 * SHUTDOWN_DELAY_MS })
    const slow = freshQuery(bff.origin, '{ user(id: "1") { name } }')

    await waitFor(async () => (await connectOutcome(bff.port)) === 'ECONNREFUSED', { timeoutMs: 10_000, message: 'the listener to close' })
    expect(Date.now() - sigtermAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS)

    const websocket = await closed
    expect(websocket.code).toBe(1012)
    expect(websocket.at - sigtermAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS)

    expect(await slow).toMatchObject({ status: 200, body: { data: { user: { name: expect.any(String) } } } })
    expect(await bff.child.exited).toBe(0)
  })
})
