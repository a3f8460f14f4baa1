import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { HOME } from '../../helpers/home-query.js'
import { gql, mockStats, resetMocks, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { bearer, tokenFor, USER_1_UNREAD } from '../identity/identity-stack.js'
import { keptHome, statsOf } from './kept-answers.js'

async function downstreamRequests(stack: Stack): Promise<number> {
  const stats = await Promise.all(SERVICE_NAMES.map((name) => mockStats(stack.mocks.urls[name])))
  return stats.reduce((sum, one) => sum + one.requests, 0)
}

describe('kept answers (RESPONSE_CACHE_ENABLED), seen from outside', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ RESPONSE_CACHE_ENABLED: 'true' })
  })
  afterAll(() => stack.close())

  it('answers a repeat of a query read from fresh entries without executing it: same data, nothing downstream', async () => {
    const first = await keptHome(stack, '1')
    expect(first.body.errors).toBeUndefined()
    await resetMocks(stack.mocks)
    const before = statsOf(stack).hits
    const repeat = await gql(stack, HOME, { id: '1' })
    expect(repeat.status).toBe(200)
    expect(repeat.body).toEqual(first.body)
    expect(statsOf(stack).hits).toBe(before + 1)
    expect(await downstreamRequests(stack)).toBe(0)
    // Other variables are another answer.
    const other = await gql(stack, HOME, { id: '2' })
    expect((other.body.data?.['home'] as { user: { id: string } }).user.id).toBe('2')
  })

  it('drops the answer when something it was read from is invalidated, and the next one shows the change', async () => {
    const before = await keptHome(stack, '1')
    const unread = (before.body.data?.['home'] as { notifications: { unreadCount: number } }).notifications.unreadCount
    const dropped = statsOf(stack).dropped
    const marked = await gql(stack, 'mutation Read($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: [USER_1_UNREAD] })
    expect(marked.body.errors).toBeUndefined()
    expect(statsOf(stack).dropped).toBeGreaterThan(dropped)
    const hits = statsOf(stack).hits
    const after = await gql(stack, HOME, { id: '1' })
    expect(statsOf(stack).hits).toBe(hits)
    expect((after.body.data?.['home'] as { notifications: { unreadCount: number } }).notifications.unreadCount).toBe(unread - 1)
  })

  it('never keeps an answer that made a call outside the cache, or one with errors', async () => {
    const kept = statsOf(stack).kept
    const search = '{ search(query: "a", first: 2) { edges { node { __typename } } } }'
    for (let i = 0; i < 3; i += 1) expect((await gql(stack, search)).status).toBe(200)
    await setFaults(stack.mocks.urls.users, { errorRate: 1 })
    try {
      for (let i = 0; i < 3; i += 1) expect((await gql(stack, '{ user(id: "7") { name } }')).body.errors?.length).toBeGreaterThan(0)
    } finally {
      await resetMocks(stack.mocks)
    }
    expect(statsOf(stack).kept).toBe(kept)
  })
})

describe('kept answers are the viewer\'s own', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ env: { RESPONSE_CACHE_ENABLED: 'true' }, auth: true })
  })
  afterAll(() => stack.close())

  it('does not serve one viewer\'s kept answer to another asking the same query', async () => {
    const owner = bearer(await tokenFor(stack.mocks, { sub: '1' }))
    const stranger = bearer(await tokenFor(stack.mocks, { sub: '2' }))
    const mine = await keptHome(stack, '1', owner)
    expect(mine.body.errors).toBeUndefined()
    const hits = statsOf(stack).hits
    const theirs = await gql(stack, HOME, { id: '1' }, { headers: stranger })
    expect(statsOf(stack).hits).toBe(hits)
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    // The owner is still served from it.
    await gql(stack, HOME, { id: '1' }, { headers: owner })
    expect(statsOf(stack).hits).toBe(hits + 1)
  })
})
