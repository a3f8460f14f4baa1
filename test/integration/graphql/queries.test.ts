import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatMoney } from '../../../src/graphql/resolvers/money.js'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'

/**
 * Every read query against the seeded world, with exact values. Literal values
 * pin the seed (the data must be the same every run); the rest is computed
 * from the world the mocks serve, so the BFF's mapping is checked field by field.
 * Read-only, so one stack serves the file.
 */
let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack.close()
})

const world = () => stack.mocks.world
const newestOrders = (userId: string, n: number) => [...(world().ordersByUser.get(userId) ?? [])].reverse().slice(0, n)
const priceOf = (productId: string) => world().inventory.get(productId)?.price
const money = (m: { amount: number; currency: string } | undefined) =>
  m === undefined ? undefined : { amount: m.amount, currency: m.currency, formatted: formatMoney(m.amount, m.currency) }

describe('home', () => {
  it('answers the screen query for user 1 with the seeded data', async () => {
    const { status, body } = await gql(
      stack,
      `query Home($id: ID!) { home(userId: $id) {
        user { id name handle }
        recentOrders { id status total { amount currency formatted } items { quantity unitPrice { amount } product { id name price { amount formatted } stock } } }
        recommendations(first: 4) { id name price { amount } stock }
        notifications { unreadCount latest(first: 3) { id kind message read createdAt } }
      } }`,
      { id: '1' },
    )
    expect(status).toBe(200)
    expect(body.errors).toBeUndefined()
    const home = body.data?.['home'] as Record<string, unknown>
    // Seed pins: user 1 is the same person every run.
    expect(home['user']).toEqual({ id: '1', name: 'Noor Larsen', handle: 'noor.larsen' })

    const orders = newestOrders('1', 5)
    expect(orders).toHaveLength(5)
    expect(home['recentOrders']).toEqual(
      orders.map((order) => ({
        id: order.id,
        status: order.status,
        total: money(order.total),
        items: order.items.map((item) => ({
          quantity: item.quantity,
          unitPrice: { amount: item.unitPrice.amount },
          product: {
            id: item.productId,
            name: world().products.get(item.productId)?.name,
            price: { amount: priceOf(item.productId)?.amount, formatted: money(priceOf(item.productId))?.formatted },
            stock: world().inventory.get(item.productId)?.stock,
          },
        })),
      })),
    )

    const recommended = (world().recommendations.get('1') ?? []).slice(0, 4)
    expect(home['recommendations']).toEqual(
      recommended.map((id) => ({
        id,
        name: world().products.get(id)?.name,
        price: { amount: priceOf(id)?.amount },
        stock: world().inventory.get(id)?.stock,
      })),
    )

    const feed = [...(world().notificationsByUser.get('1') ?? [])].reverse().slice(0, 3)
    expect(home['notifications']).toEqual({
      unreadCount: world().unreadByUser.get('1'),
      latest: feed.map(({ id, kind, message, read, createdAt }) => ({ id, kind, message, read, createdAt })),
    })
  })

  it('nulls each leg with NOT_FOUND for an unknown user id, keeping the response', async () => {
    const { status, body } = await gql(stack, '{ home(userId: "999999") { user { id } notifications { unreadCount } } }')
    expect(status).toBe(200)
    expect(body.data).toEqual({ home: { user: null, notifications: null } })
    const codes = body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code]).sort()
    expect(codes).toEqual([['home.notifications.unreadCount', 'NOT_FOUND'], ['home.user', 'NOT_FOUND']])
  })
})

describe('home notifications page size', () => {
  it.each([0, 51, 500])('answers BAD_USER_INPUT for latest(first: %i), whether or not unreadCount is selected, without calling notifications', async (first) => {
    const before = (await mockStats(stack.mocks.urls.notifications)).requests
    for (const fields of [`latest(first: ${first}) { id }`, `unreadCount latest(first: ${first}) { id }`]) {
      const { body } = await gql(stack, `{ home(userId: "1") { notifications { ${fields} } } }`)
      expect(body.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT'])
    }
    expect((await mockStats(stack.mocks.urls.notifications)).requests).toBe(before)
  })
})

describe('user', () => {
  it('resolves a profile with followers and a page of orders', async () => {
    const { body } = await gql(
      stack,
      '{ user(id: "1") { id name avatarUrl joinedAt followers(first: 3) { id name } orders(first: 2) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } } }',
    )
    expect(body.errors).toBeUndefined()
    const user = world().users.get('1')
    const followerIds = (world().followers.get('1') ?? []).slice(0, 3)
    const orders = newestOrders('1', 2)
    const result = body.data?.['user'] as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads a JSON tree
    expect(result['id']).toBe('1')
    expect(result['name']).toBe(user?.name)
    expect(result['avatarUrl']).toBe(user?.avatarUrl)
    expect(result['joinedAt']).toBe(user?.joinedAt)
    expect(result['followers']).toEqual(followerIds.map((id) => ({ id, name: world().users.get(id)?.name })))
    expect(result['orders'].edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(orders.map((o) => o.id))
    expect(result['orders'].pageInfo.hasNextPage).toBe(true)
    expect(result['orders'].pageInfo.endCursor).toBe(result['orders'].edges[1].cursor)
  })

  it('pages orders with the cursor, newest first, without overlap', async () => {
    const first = await gql(stack, '{ user(id: "1") { orders(first: 5) { edges { node { id } } pageInfo { endCursor } } } }')
    const after = (first.body.data?.['user'] as any).orders.pageInfo.endCursor as string // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    const second = await gql(stack, 'query($after: String) { user(id: "1") { orders(first: 5, after: $after) { edges { node { id } } } } }', { after })
    const ids = (second.body.data?.['user'] as any).orders.edges.map((e: { node: { id: string } }) => e.node.id) // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    expect(ids).toEqual(newestOrders('1', 10).slice(5).map((o) => o.id))
  })

  it('answers null, without error, for an unknown id', async () => {
    const { body } = await gql(stack, '{ user(id: "424242") { id } }')
    expect(body).toEqual({ data: { user: null } })
  })
})

describe('products', () => {
  it('product(id) with price, stock and reviews with authors', async () => {
    const productId = [...world().reviewsByProduct.entries()].find(([, list]) => list.length >= 2)?.[0] ?? '1'
    const { body } = await gql(
      stack,
      `query($id: ID!) { product(id: $id) { id name description category images price { amount currency formatted } stock
        reviews(first: 2) { totalCount edges { node { id rating body likes author { id name } } } } } }`,
      { id: productId },
    )
    expect(body.errors).toBeUndefined()
    const product = world().products.get(productId)
    const reviews = [...(world().reviewsByProduct.get(productId) ?? [])].reverse().slice(0, 2)
    expect(body.data?.['product']).toEqual({
      id: productId,
      name: product?.name,
      description: product?.description,
      category: product?.category,
      images: product?.images,
      price: money(priceOf(productId)),
      stock: world().inventory.get(productId)?.stock,
      reviews: {
        totalCount: world().reviewsByProduct.get(productId)?.length,
        edges: reviews.map((r) => ({
          node: { id: r.id, rating: r.rating, body: r.body, likes: r.likes, author: { id: r.authorId, name: world().users.get(r.authorId)?.name } },
        })),
      },
    })
  })

  it('products(ids) keeps the order asked, with null for unknown ids', async () => {
    const { body } = await gql(stack, '{ products(ids: ["3", "999999", "1"]) { id name price { amount } } }')
    expect(body.errors).toBeUndefined()
    expect(body.data?.['products']).toEqual([
      { id: '3', name: world().products.get('3')?.name, price: { amount: priceOf('3')?.amount } },
      null,
      { id: '1', name: world().products.get('1')?.name, price: { amount: priceOf('1')?.amount } },
    ])
  })

  it('search is a Relay connection that pages without overlap', async () => {
    const term = world().products.get('1')?.category ?? 'a'
    const query = 'query($q: String!, $after: String) { search(query: $q, first: 3, after: $after) { totalCount edges { cursor node { id category } } pageInfo { hasNextPage endCursor } } }'
    const page1 = await gql(stack, query, { q: term })
    expect(page1.body.errors).toBeUndefined()
    const s1 = page1.body.data?.['search'] as any // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    expect(s1.edges).toHaveLength(3)
    expect(s1.totalCount).toBeGreaterThan(3)
    expect(s1.pageInfo).toEqual({ hasNextPage: true, endCursor: s1.edges[2].cursor })
    const page2 = await gql(stack, query, { q: term, after: s1.pageInfo.endCursor })
    const s2 = page2.body.data?.['search'] as any // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    const ids1 = s1.edges.map((e: any) => e.node.id) // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    const ids2 = s2.edges.map((e: any) => e.node.id) // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON tree
    expect(ids2).toHaveLength(3)
    expect(ids1.filter((id: string) => ids2.includes(id))).toEqual([])
  })

  it('search rejects a malformed cursor and a page over its largest size with BAD_USER_INPUT', async () => {
    const bad = await gql(stack, '{ search(query: "lamp", after: "garbage!") { totalCount } }')
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    const largest = await gql(stack, '{ search(query: "lamp", first: 100) { totalCount } }')
    expect(largest.body.errors).toBeUndefined()
    const over = await gql(stack, '{ search(query: "lamp", first: 101) { totalCount } }')
    expect(over.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    // A connection's page size multiplies only what its edges select: this one costs 1 and reaches its own bound.
    const huge = await gql(stack, '{ search(query: "lamp", first: 5000) { totalCount } }')
    expect(huge.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('order', () => {
  it('order(id) with its user, items and total', async () => {
    const order = newestOrders('1', 1)[0]
    expect(order).toBeDefined()
    const { body } = await gql(stack, `{ order(id: "${order?.id}") { id status createdAt user { id } total { amount } items { quantity product { id } } } }`)
    expect(body.data?.['order']).toEqual({
      id: order?.id,
      status: order?.status,
      createdAt: order?.createdAt,
      user: { id: '1' },
      total: { amount: order?.total.amount },
      items: order?.items.map((i) => ({ quantity: i.quantity, product: { id: i.productId } })),
    })
  })
})
