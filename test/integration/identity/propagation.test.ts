import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql, mockStats, resetMocks, startStack, type GraphQLAnswer, type Stack } from '../../helpers/stack.js'
import { bearer, startAuthStack, tokenFor, USER_1_ORDER } from './identity-stack.js'

const HOME = '{ home(userId: "1") { recentOrders(first: 3) { id } notifications { unreadCount latest(first: 3) { id } } } }'
const codes = (answer: GraphQLAnswer): (string | undefined)[] => (answer.body.errors ?? []).map((error) => error.extensions?.code)

describe('the caller\'s identity travels to the services', () => {
  let stack: Stack
  let user1: string
  beforeAll(async () => {
    stack = await startAuthStack()
    user1 = await tokenFor(stack.mocks, { sub: '1' })
  })
  afterAll(() => stack?.close())

  it('relays the caller\'s token: services that demand one serve the owner', async () => {
    const answer = await gql(stack, HOME, undefined, { headers: bearer(user1) })
    expect(answer.body.errors).toBeUndefined()
    expect(answer.body.data).toMatchObject({ home: { recentOrders: expect.any(Array), notifications: { unreadCount: expect.any(Number) } } })
  })

  it('a service refuses a foreign token itself (403), whatever the BFF let through: Query.order of another user\'s order', async () => {
    await resetMocks(stack.mocks)
    const other = await tokenFor(stack.mocks, { sub: '2' })
    const answer = await gql(stack, `{ order(id: "${USER_1_ORDER}") { id } }`, undefined, { headers: bearer(other) })
    expect(answer.body.data).toEqual({ order: null })
    expect(codes(answer)).toEqual(['FORBIDDEN'])
    // The refusal came from the orders service: the BFF asked it.
    expect((await mockStats(stack.mocks.urls.orders)).byRoute['GET /orders'] ?? 0).toBeGreaterThan(0)
  })

  it('a BFF that relays no identity is refused by the services (401), so their check does not depend on the BFF', async () => {
    const blind = await startStack({ env: { AUTH_DISABLED: 'true' }, mocks: { requireIdentity: true } })
    try {
      const answer = await gql(blind, HOME, undefined, { headers: bearer(await tokenFor(blind.mocks, { sub: '1' })) })
      expect(answer.status).toBe(200)
      expect(answer.body.data).toEqual({ home: { recentOrders: null, notifications: null } })
      expect(codes(answer).sort()).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED'])
    } finally {
      await blind.close()
    }
  })
})

describe('PRIVATE cache entries stay with their owner', () => {
  let stack: Stack
  beforeAll(async () => {
    // The entity cache is on by default (in-process memory store).
    stack = await startAuthStack()
  })
  afterAll(() => stack?.close())

  it('two users with real tokens never see each other\'s cached entries', async () => {
    const tokens = { '1': await tokenFor(stack.mocks, { sub: '1' }), '2': await tokenFor(stack.mocks, { sub: '2' }) }
    const own = '{ home { recentOrders(first: 5) { id } notifications { latest(first: 5) { id } } } }'
    const answers: Record<string, GraphQLAnswer> = {}
    const privateCalls = async (): Promise<number> =>
      (await mockStats(stack.mocks.urls.orders)).requests + (await mockStats(stack.mocks.urls.notifications)).requests
    // Twice each, interleaved: the second round is served from the cache (no call to orders or notifications).
    let afterFirstRound = 0
    for (const round of [1, 2]) {
      for (const user of ['1', '2'] as const) {
        answers[`${user}:${round}`] = await gql(stack, own, undefined, { headers: bearer(tokens[user]) })
      }
      if (round === 1) afterFirstRound = await privateCalls()
    }
    expect(await privateCalls()).toBe(afterFirstRound)
    for (const user of ['1', '2'] as const) {
      const first = answers[`${user}:1`]
      const second = answers[`${user}:2`]
      expect(second?.body).toEqual(first?.body)
      const home = first?.body.data?.['home'] as { recentOrders: { id: string }[]; notifications: { latest: { id: string }[] } }
      expect(home.recentOrders.length).toBeGreaterThan(0)
      for (const order of home.recentOrders) expect(stack.mocks.world.orders.get(order.id)?.userId).toBe(user)
      for (const notification of home.notifications.latest) expect(stack.mocks.world.notifications.get(notification.id)?.userId).toBe(user)
    }
    // User 2 asking for user 1's screen after user 1's entries are cached: refused, nothing served from them.
    const prying = await gql(stack, '{ home(userId: "1") { recentOrders(first: 5) { id } notifications { latest(first: 5) { id } } } }', undefined, {
      headers: bearer(tokens['2']),
    })
    expect(prying.body.data).toEqual({ home: { recentOrders: null, notifications: null } })
    expect(codes(prying)).toEqual(['FORBIDDEN', 'FORBIDDEN'])
  })
})
