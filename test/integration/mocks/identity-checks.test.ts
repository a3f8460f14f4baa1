import { afterEach, describe, expect, it } from 'vitest'
import { requestToken, type TokenRequestBody } from '../../../mocks/auth/token-client.js'
import type { RunningMocks, StartMocksOptions } from '../../../mocks/start-mocks.js'
import { bearer, call, get, post, startTestMocks, type JsonAnswer } from './mock-client.js'

// Seeded facts (mocks/README.md): orders 6843 and 1062 are user 1's and PLACED, 205 is user 2's;
// notification 16127 is user 1's and unread, 6933 user 2's and unread.
const USER_1_ORDER = '6843'
const USER_2_ORDER = '205'
const USER_1_UNREAD = '16127'
const USER_2_UNREAD = '6933'

type Route = readonly [label: string, method: 'GET' | 'POST', path: (mocks: RunningMocks) => string, body?: unknown]

/** Every per-user route, each asking for user 1's data or acting for user 1. */
const USER_1_ROUTES: readonly Route[] = [
  ['order history', 'GET', (m) => `${m.urls.orders}/users/1/orders?first=2`],
  ['orders by ids', 'GET', (m) => `${m.urls.orders}/orders?ids=${USER_1_ORDER},1062`],
  ['one order', 'GET', (m) => `${m.urls.orders}/orders/${USER_1_ORDER}`],
  ['placing an order', 'POST', (m) => `${m.urls.orders}/orders`, { userId: '1', items: [{ productId: '5', quantity: 1 }] }],
  ['advancing an order', 'POST', (m) => `${m.urls.orders}/orders/${USER_1_ORDER}/advance`],
  ['notification feed', 'GET', (m) => `${m.urls.notifications}/users/1/notifications?first=2`],
  ['unread count', 'GET', (m) => `${m.urls.notifications}/users/1/notifications/unread-count`],
  ['marking read', 'POST', (m) => `${m.urls.notifications}/notifications/read`, { ids: [USER_1_UNREAD] }],
  ['creating a notification', 'POST', (m) => `${m.urls.notifications}/users/1/notifications`, { kind: 'SOCIAL', message: 'hi' }],
]

const send = (mocks: RunningMocks, [, method, path, body]: Route, headers: Record<string, string> = {}): Promise<JsonAnswer> =>
  call(method, path(mocks), { headers, ...(body === undefined ? {} : { body }) })

describe('services check identity when started with requireIdentity', () => {
  const leftovers: RunningMocks[] = []
  afterEach(async () => {
    await Promise.all(leftovers.splice(0).map((mocks) => mocks.close()))
  })

  async function start(options: StartMocksOptions = { requireIdentity: true }): Promise<RunningMocks> {
    const mocks = await startTestMocks(options)
    leftovers.push(mocks)
    return mocks
  }

  const tokenFor = async (mocks: RunningMocks, body: TokenRequestBody): Promise<string> => (await requestToken(mocks.auth.url, body)).access_token

  /** What a refused request must not have changed: orders, order status, read marks, events. */
  async function expectNothingWritten(mocks: RunningMocks): Promise<void> {
    expect(mocks.world.orders.size).toBe(mocks.world.sequences.nextOrderId - 1)
    expect(mocks.world.orders.get(USER_1_ORDER)?.status).toBe('PLACED')
    expect(mocks.world.notifications.get(USER_1_UNREAD)?.read).toBe(false)
    expect(mocks.world.notifications.get(USER_2_UNREAD)?.read).toBe(false)
    expect(await mocks.eventLog.read('0-0')).toEqual([])
  }

  it('answers 401 with a Bearer challenge on every per-user route without a token, and writes nothing', async () => {
    const mocks = await start()
    const ordersBefore = mocks.world.orders.size
    for (const route of USER_1_ROUTES) {
      const answer = await send(mocks, route)
      expect([route[0], answer.status, answer.body.error]).toEqual([route[0], 401, 'unauthenticated'])
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="mocks"')
    }
    // Authentication comes first: a bad body or an unknown order still gets the 401.
    expect((await post(`${mocks.urls.orders}/orders`, { userId: 'x' })).status).toBe(401)
    expect((await get(`${mocks.urls.orders}/orders/99999999`)).status).toBe(401)
    expect(mocks.world.orders.size).toBe(ordersBefore)
    await expectNothingWritten(mocks)
  })

  it('answers 401 invalid_token to every kind of bad token', async () => {
    const mocks = await start({ requireIdentity: true, auth: { keyGraceMs: 0 } })
    const past = Math.floor(Date.now() / 1_000) - 60
    const retired = await tokenFor(mocks, { sub: '1' })
    await post(`${mocks.auth.url}/__admin/rotate-keys`)
    const valid = await tokenFor(mocks, { sub: '1' })
    const badHeaders: ReadonlyArray<readonly [string, string]> = [
      ['a forged signature', `Bearer ${await tokenFor(mocks, { sub: '1', testOverrides: { forgeSignature: true } })}`],
      ['an expired token', `Bearer ${await tokenFor(mocks, { sub: '1', testOverrides: { expiresAt: past } })}`],
      ['a foreign issuer', `Bearer ${await tokenFor(mocks, { sub: '1', testOverrides: { issuer: 'http://evil.example' } })}`],
      ['another audience', `Bearer ${await tokenFor(mocks, { sub: '1', testOverrides: { audience: 'other-app' } })}`],
      ['nbf in the future', `Bearer ${await tokenFor(mocks, { sub: '1', testOverrides: { notBeforeSeconds: 600 } })}`],
      ['a key dropped after its grace', `Bearer ${retired}`],
      ['a truncated token', `Bearer ${valid.slice(0, -5)}`],
      ['not a JWT', 'Bearer not-a-jwt'],
      ['another scheme', `Basic ${Buffer.from('1:pw').toString('base64')}`],
      ['a bare token', valid],
    ]
    for (const [kind, authorization] of badHeaders) {
      const answer = await get(`${mocks.urls.orders}/users/1/orders`, { authorization })
      expect([kind, answer.status, answer.body.error]).toEqual([kind, 401, 'unauthenticated'])
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="mocks", error="invalid_token"')
    }
    expect((await get(`${mocks.urls.orders}/users/1/orders`, bearer(valid))).status).toBe(200)
  })

  it("answers 403 to a valid token of another user on every per-user route, and writes nothing", async () => {
    const mocks = await start()
    const user2 = bearer(await tokenFor(mocks, { sub: '2', scope: 'orders:read' }))
    for (const route of USER_1_ROUTES) {
      const answer = await send(mocks, route, user2)
      expect([route[0], answer.status, answer.body.error]).toEqual([route[0], 403, 'forbidden'])
    }
    // A batch with a single foreign item is refused whole, not filtered down to the caller's own.
    expect((await call('GET', `${mocks.urls.orders}/orders?ids=${USER_2_ORDER},${USER_1_ORDER}`, { headers: user2 })).status).toBe(403)
    const mixed = await call('POST', `${mocks.urls.notifications}/notifications/read`, { headers: user2, body: { ids: [USER_2_UNREAD, USER_1_UNREAD] } })
    expect(mixed.status).toBe(403)
    await expectNothingWritten(mocks)
  })

  it('serves the owner and any subject with scope admin', async () => {
    const mocks = await start()
    const owner = bearer(await tokenFor(mocks, { sub: '1' }))
    const admin = bearer(await tokenFor(mocks, { sub: 'support-7', scope: 'profile admin' }))
    for (const headers of [owner, admin]) {
      for (const route of USER_1_ROUTES.filter(([, method]) => method === 'GET')) {
        const answer = await send(mocks, route, headers)
        expect([route[0], answer.status]).toEqual([route[0], 200])
      }
    }
    const listed = await call('GET', `${mocks.urls.orders}/orders?ids=${USER_1_ORDER},${USER_2_ORDER}`, { headers: admin })
    expect(listed.body.orders.map((order: { id: string }) => order.id).sort()).toEqual([USER_2_ORDER, USER_1_ORDER])
    // Unknown ids have no owner: the owner's batch still goes through.
    expect((await call('GET', `${mocks.urls.orders}/orders?ids=${USER_1_ORDER},99999999`, { headers: owner })).status).toBe(200)

    const placed = await call('POST', `${mocks.urls.orders}/orders`, { headers: owner, body: { userId: '1', items: [{ productId: '5', quantity: 1 }] } })
    expect(placed.status).toBe(201)
    const forTwo = await call('POST', `${mocks.urls.orders}/orders`, { headers: admin, body: { userId: '2', items: [{ productId: '5', quantity: 1 }] } })
    expect([forTwo.status, forTwo.body.userId]).toEqual([201, '2'])
    expect((await call('POST', `${mocks.urls.orders}/orders/${USER_1_ORDER}/advance`, { headers: owner })).body.status).toBe('PAID')
    const read = await call('POST', `${mocks.urls.notifications}/notifications/read`, { headers: owner, body: { ids: [USER_1_UNREAD] } })
    expect(read.body).toEqual({ updated: 1 })
    const readForTwo = await call('POST', `${mocks.urls.notifications}/notifications/read`, { headers: admin, body: { ids: [USER_2_UNREAD] } })
    expect(readForTwo.body).toEqual({ updated: 1 })
    expect((await mocks.eventLog.read('0-0')).map(({ event }) => [event.type, 'userId' in event ? event.userId : null])).toEqual([
      ['order.created', '1'],
      ['order.created', '2'],
      ['order.status_changed', '1'],
      ['notification.read', '1'],
      ['notification.read', '2'],
    ])
  })

  it('leaves public reads open to anonymous callers', async () => {
    const mocks = await start()
    const open = [
      `${mocks.urls.users}/users/1`,
      `${mocks.urls.users}/users?ids=1,2`,
      `${mocks.urls.users}/users/1/followers`,
      `${mocks.urls.catalog}/products/1`,
      `${mocks.urls.catalog}/search?q=`,
      `${mocks.urls.inventory}/inventory?ids=1`,
      `${mocks.urls.reviews}/products/1/reviews`,
      `${mocks.urls.recommendations}/users/1/recommendations`,
    ]
    for (const url of open) expect([url, (await get(url)).status]).toEqual([url, 200])
  })

  it('without requireIdentity, needs no token and ignores whatever is sent', async () => {
    const mocks = await start({})
    expect((await get(`${mocks.urls.orders}/users/1/orders`)).status).toBe(200)
    expect((await get(`${mocks.urls.notifications}/users/2/notifications`, { authorization: 'Bearer junk' })).status).toBe(200)
    const placed = await call('POST', `${mocks.urls.orders}/orders`, { headers: { authorization: 'Bearer junk' }, body: { userId: '2', items: [{ productId: '5', quantity: 1 }] } })
    expect(placed.status).toBe(201)
  })
})
