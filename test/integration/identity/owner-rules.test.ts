import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql, type GraphQLAnswer, type Stack } from '../../helpers/stack.js'
import { bearer, startAuthStack, tokenFor, USER_1_ORDER, USER_1_UNREAD, USER_2_UNREAD } from './identity-stack.js'

type Caller = 'anonymous' | 'owner' | 'other' | 'admin'
const CALLERS: readonly Caller[] = ['anonymous', 'owner', 'other', 'admin']
/** What a denied caller gets; the owner and admin get the data. */
const DENIED: Readonly<Record<Caller, string | null>> = { anonymous: 'UNAUTHENTICATED', owner: null, other: 'FORBIDDEN', admin: null }

/** Each per-user read of user 1's data, with the path that is null when denied. */
const READS: readonly (readonly [label: string, query: string, path: readonly string[]])[] = [
  ['Home.recentOrders', '{ home(userId: "1") { user { id } recentOrders(first: 1) { id } } }', ['home', 'recentOrders']],
  ['Home.notifications', '{ home(userId: "1") { user { id } notifications { unreadCount } } }', ['home', 'notifications']],
  ['Home.recommendations', '{ home(userId: "1") { user { id } recommendations(first: 1) { id } } }', ['home', 'recommendations']],
  ['User.orders', '{ user(id: "1") { id orders(first: 1) { edges { node { id } } } } }', ['user', 'orders']],
  ['Query.order', `{ order(id: "${USER_1_ORDER}") { id status } }`, ['order']],
]

const at = (data: unknown, path: readonly string[]): unknown => path.reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], data)
const codes = (answer: GraphQLAnswer): (string | undefined)[] => (answer.body.errors ?? []).map((error) => error.extensions?.code)

describe('owner rules on per-user data, with real tokens against real services', () => {
  let stack: Stack
  const headers: Partial<Record<Caller, Record<string, string>>> = {}
  beforeAll(async () => {
    stack = await startAuthStack()
    headers.anonymous = {}
    headers.owner = bearer(await tokenFor(stack.mocks, { sub: '1' }))
    headers.other = bearer(await tokenFor(stack.mocks, { sub: '2' }))
    headers.admin = bearer(await tokenFor(stack.mocks, { sub: 'support-7', scope: 'admin' }))
  })
  afterAll(() => stack?.close())

  const ask = (caller: Caller, query: string): Promise<GraphQLAnswer> => gql(stack, query, undefined, { headers: headers[caller] ?? {} })

  for (const [label, query, path] of READS) {
    it.each(CALLERS)(`${label} for %s: the owner and admin read it, anyone else gets null and the exact code, the rest served`, async (caller) => {
      const answer = await ask(caller, query)
      expect(answer.status).toBe(200)
      const denied = DENIED[caller]
      if (denied === null) {
        expect(answer.body.errors).toBeUndefined()
        expect(at(answer.body.data, path)).not.toBeNull()
      } else {
        expect(at(answer.body.data, path)).toBeNull()
        expect(codes(answer)).toEqual([denied])
        expect(answer.body.errors?.[0]?.path).toEqual(path)
        // The public part of the same response is served.
        if (path[0] !== 'order') expect(at(answer.body.data, [path[0] ?? '', path[0] === 'home' ? 'user' : 'id'])).not.toBeNull()
      }
    })
  }

  it('home() without userId is the caller\'s own screen; anonymous gets UNAUTHENTICATED', async () => {
    const query = '{ home { user { id } recentOrders(first: 1) { id } } me { id } }'
    const own = await ask('other', query)
    expect(own.body).toEqual({ data: { home: { user: { id: '2' }, recentOrders: expect.any(Array) }, me: { id: '2' } } })
    const anonymous = await ask('anonymous', query)
    // home is nullable: its refusal leaves the rest of the answer (me) served.
    expect(anonymous.body.data).toEqual({ home: null, me: null })
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED'])
    expect((await ask('anonymous', '{ me { id } }')).body).toEqual({ data: { me: null } })
  })

  describe('mutations refused for another user write nothing', () => {
    const placeOrder = 'mutation { placeOrder(input: { userId: "1", items: [{ productId: "5", quantity: 1 }] }) { id user { id } } }'
    const markRead = `mutation { markNotificationsRead(ids: ["${USER_1_UNREAD}"]) }`

    async function expectNothingWritten(ordersBefore: number): Promise<void> {
      expect(stack.mocks.world.orders.size).toBe(ordersBefore)
      expect(stack.mocks.world.notifications.get(USER_1_UNREAD)?.read).toBe(false)
    }

    it.each([
      ['anonymous', 'UNAUTHENTICATED'],
      ['other', 'FORBIDDEN'],
    ] as const)('placeOrder for user 1 by %s: %s, no order', async (caller, code) => {
      const before = stack.mocks.world.orders.size
      const answer = await ask(caller, placeOrder)
      expect(answer.status).toBe(200)
      expect(answer.body.data).toBeNull()
      expect(codes(answer)).toEqual([code])
      await expectNothingWritten(before)
    })

    it.each([
      ['anonymous', 'UNAUTHENTICATED'],
      ['other', 'FORBIDDEN'],
    ] as const)('markNotificationsRead of user 1\'s notification by %s: %s, nothing marked', async (caller, code) => {
      const before = stack.mocks.world.orders.size
      const answer = await ask(caller, markRead)
      expect(answer.body.data).toBeNull()
      expect(codes(answer)).toEqual([code])
      await expectNothingWritten(before)
    })

    it('likeReview anonymously: UNAUTHENTICATED, no like; signed in, liked', async () => {
      const review = [...stack.mocks.world.reviews.values()][0]
      if (review === undefined) throw new Error('no seeded review')
      const likes = review.likes
      const like = `mutation { likeReview(id: "${review.id}") { likes } }`
      const anonymous = await ask('anonymous', like)
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED'])
      expect(stack.mocks.world.reviews.get(review.id)?.likes).toBe(likes)
      const signedIn = await ask('other', like)
      expect(signedIn.body).toEqual({ data: { likeReview: { likes: likes + 1 } } })
    })

    it('the owner and admin place orders and mark read', async () => {
      const before = stack.mocks.world.orders.size
      expect((await ask('owner', placeOrder)).body).toEqual({ data: { placeOrder: { id: expect.any(String), user: { id: '1' } } } })
      expect((await ask('admin', placeOrder)).body).toEqual({ data: { placeOrder: { id: expect.any(String), user: { id: '1' } } } })
      expect(stack.mocks.world.orders.size).toBe(before + 2)
      expect((await ask('owner', markRead)).body).toEqual({ data: { markNotificationsRead: 1 } })
      expect((await ask('admin', `mutation { markNotificationsRead(ids: ["${USER_2_UNREAD}"]) }`)).body).toEqual({ data: { markNotificationsRead: 1 } })
    })
  })
})
