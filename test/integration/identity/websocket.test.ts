import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../../helpers/stack.js'
import { connectRaw, createWsClient, subscribe, type Result } from '../../helpers/ws-client.js'
import { startAuthStack, tokenFor, unsignedToken, USER_1_ORDER } from './identity-stack.js'

const ORDERS = 'subscription ($userId: ID!, $after: String) { orderStatusChanged(userId: $userId, after: $after) { eventId order { id status } } }'
const NOTIFICATIONS = 'subscription ($userId: ID!) { notificationAdded(userId: $userId) { eventId notification { id message } } }'
const STOCK = 'subscription { stockChanged(productIds: ["7"]) { eventId product { id } } }'

describe('identity over the websocket (connection_init authorization)', () => {
  let stack: Stack
  let wsUrl: string
  let adminToken: string
  beforeAll(async () => {
    stack = await startAuthStack()
    wsUrl = `${stack.bffUrl.replace('http', 'ws')}/graphql`
    adminToken = await tokenFor(stack.mocks, { sub: 'ops', scope: 'admin' })
  })
  afterAll(() => stack?.close())

  /** The services' own writes, made as admin (they check identity too). */
  async function advance(orderId: string): Promise<void> {
    const response = await request(`${stack.mocks.urls.orders}/orders/${orderId}/advance`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } })
    await response.body.dump()
    expect(response.statusCode).toBe(200)
  }
  async function notify(userId: string, message: string): Promise<void> {
    const response = await request(`${stack.mocks.urls.notifications}/users/${userId}/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'SOCIAL', message }),
    })
    await response.body.dump()
    expect(response.statusCode).toBe(201)
  }

  it.each([
    ['a forged signature', () => tokenFor(stack.mocks, { sub: '1', testOverrides: { forgeSignature: true } })],
    ['alg none', async () => unsignedToken(stack.mocks, '1')],
    ['an expired token', () => tokenFor(stack.mocks, { sub: '1', testOverrides: { expiresAt: Math.floor(Date.now() / 1_000) - 60 } })],
  ])('closes with 4403 and a reason on %s', async (_label, make) => {
    const raw = await connectRaw(wsUrl)
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${await make()}` } })
    const closed = await raw.waitForClose()
    expect(closed.code).toBe(4403)
    expect(closed.reason).toMatch(/^Invalid token \((signature|algorithm|expired)\)$/)
  })

  it('authorizes subscriptions when subscribing: anonymous UNAUTHENTICATED, another user FORBIDDEN, stockChanged public', async () => {
    const anonymous = createWsClient(wsUrl)
    const other = createWsClient(wsUrl, { connectionParams: { authorization: `Bearer ${await tokenFor(stack.mocks, { sub: '2' })}` } })
    try {
      for (const [client, code] of [
        [anonymous, 'UNAUTHENTICATED'],
        [other, 'FORBIDDEN'],
      ] as const) {
        for (const query of [ORDERS, NOTIFICATIONS]) {
          // Refused when subscribing: one result carrying the error, then completion; nothing is streamed.
          const refused = subscribe(client, query, { userId: '1' })
          const result = await refused.next()
          expect(result.errors?.map((error) => (error.extensions as { code?: string } | undefined)?.code)).toEqual([code])
          expect(await refused.ended).toBeUndefined()
        }
      }
      const stock = subscribe(anonymous, STOCK)
      await expect.poll(() => stack.app.subscriptions.stats().subscriptions).toBe(1)
      stock.dispose()
    } finally {
      await Promise.all([anonymous.dispose(), other.dispose()])
    }
  })

  it('delivers the owner\'s and, to admin, anyone\'s order and notification events', async () => {
    const owner = createWsClient(wsUrl, { connectionParams: { authorization: `Bearer ${await tokenFor(stack.mocks, { sub: '3' })}` } })
    const admin = createWsClient(wsUrl, { connectionParams: { authorization: `Bearer ${adminToken}` } })
    try {
      const notifications = [owner, admin].map((client) => subscribe(client, NOTIFICATIONS, { userId: '3' }))
      const orders = [owner, admin].map((client) => subscribe(client, ORDERS, { userId: '3' }))
      await expect.poll(() => stack.app.subscriptions.stats().subscriptions).toBe(4)
      await notify('3', 'for three')
      const placed = await request(`${stack.mocks.urls.orders}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: '3', items: [{ productId: '5', quantity: 1 }] }),
      })
      const order = (await placed.body.json()) as { id: string }
      for (const probe of notifications) {
        const result = await probe.next()
        expect(result.errors).toBeUndefined()
        expect(result.data?.['notificationAdded']).toMatchObject({ notification: { message: 'for three' } })
        probe.dispose()
      }
      for (const probe of orders) {
        const result = await probe.next()
        expect(result.errors).toBeUndefined()
        expect(result.data?.['orderStatusChanged']).toMatchObject({ order: { id: order.id, status: 'PLACED' } })
        probe.dispose()
      }
    } finally {
      await Promise.all([owner.dispose(), admin.dispose()])
    }
  })

  it('closes a socket with 4403 when its token expires; a client fetching a fresh token reconnects and resumes with after', async () => {
    // Just inside: the connection is accepted, and lives until exp.
    let minted = 0
    const connected: number[] = []
    const closes: number[] = []
    const client = createWsClient(wsUrl, {
      retryAttempts: 5,
      retryWait: async () => undefined,
      connectionParams: async () => {
        minted += 1
        // The first token lives 3 s (2–3 s: exp counts from a whole second); the next ones an hour.
        return { authorization: `Bearer ${await tokenFor(stack.mocks, { sub: '1', ttlSeconds: minted === 1 ? 3 : 3_600 })}` }
      },
      on: { connected: () => connected.push(Date.now()), closed: (event) => closes.push((event as { code: number }).code) },
    })
    try {
      // graphql-ws resends the subscribe payload it was given on reconnect: keeping `after` current in it resumes the
      // stream. It starts at the log's end, so an event published just before an early expiry is replayed, not lost.
      const variables: Record<string, unknown> = { userId: '1', after: await stack.mocks.eventLog.lastId() }
      const seen: string[] = []
      const received: Result[] = []
      client.subscribe(
        { query: ORDERS, variables },
        {
          next: (value) => {
            received.push(value)
            const event = value.data?.['orderStatusChanged'] as { eventId: string; order: { status: string } } | undefined
            if (event !== undefined) {
              variables['after'] = event.eventId
              seen.push(event.order.status)
            }
          },
          error: () => undefined,
          complete: () => undefined,
        },
      )
      await expect.poll(() => stack.app.subscriptions.stats().subscriptions).toBe(1)
      await advance(USER_1_ORDER)
      await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['PAID'])
      await expect.poll(() => closes, { timeout: 8_000 }).toEqual([4403])
      // Published while the client may still be reconnecting: `after` brings it back either way.
      await advance(USER_1_ORDER)
      await expect.poll(() => connected.length, { timeout: 5_000 }).toBe(2)
      await advance(USER_1_ORDER)
      await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['PAID', 'SHIPPED', 'DELIVERED'])
      expect(received.every((result) => result.errors === undefined)).toBe(true)
      expect(minted).toBe(2)
    } finally {
      await client.dispose()
    }
  })
})
