import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningMocks } from '../../../mocks/start-mocks.js'
import { get, startTestMocks } from './mock-client.js'

describe('mock read routes', () => {
  let mocks: RunningMocks
  beforeAll(async () => {
    mocks = await startTestMocks()
  })
  afterAll(() => mocks.close())

  describe('users', () => {
    it('GET /users/:id answers the seeded user and echoes x-request-id', async () => {
      const answer = await get(`${mocks.urls.users}/users/1`, { 'x-request-id': 'req-42' })
      expect(answer.status).toBe(200)
      expect(answer.headers['x-request-id']).toBe('req-42')
      expect(answer.body).toEqual({
        id: '1',
        name: 'Noor Larsen',
        handle: 'noor.larsen',
        avatarUrl: 'https://img.example.com/u/1.png',
        joinedAt: '2019-11-22T02:23:52.000Z',
      })
    })

    it('GET /users?ids= answers known ids once each, skipping unknown ones', async () => {
      const answer = await get(`${mocks.urls.users}/users?ids=2,1,2,99999`)
      expect(answer.status).toBe(200)
      const names = answer.body.users.map((u: { id: string; name: string }) => `${u.id}:${u.name}`).sort()
      expect(names).toEqual(['1:Noor Larsen', '2:Pablo Costa'])
    })

    it('GET /users?ids= takes 500 ids and refuses 501', async () => {
      const ids = (n: number): string => Array.from({ length: n }, (_, i) => String(i + 1)).join(',')
      expect((await get(`${mocks.urls.users}/users?ids=${ids(500)}`)).body.users).toHaveLength(500)
      expect((await get(`${mocks.urls.users}/users?ids=${ids(501)}`)).status).toBe(400)
    })

    it('GET /users/:id/followers answers newest first with the total', async () => {
      const answer = await get(`${mocks.urls.users}/users/1/followers?first=3`)
      expect(answer.body).toEqual({ userIds: ['1578', '1925', '1261'], total: 14 })
    })

    it.each([
      ['/users/abc', 400],
      ['/users/0', 400],
      ['/users/99999', 404],
      ['/users', 400],
      ['/users?ids=1,,2', 400],
      ['/users/1/followers?first=0', 400],
      ['/users/1/followers?first=101', 400],
      ['/nope', 404],
    ])('GET %s answers %i with an API.md error body', async (path, status) => {
      const answer = await get(`${mocks.urls.users}${path}`)
      expect(answer.status).toBe(status)
      expect(answer.body).toEqual({ error: status === 400 ? 'bad_request' : 'not_found', message: expect.any(String) })
    })
  })

  describe('catalog', () => {
    it('GET /products/:id and the batch route answer seeded products', async () => {
      expect((await get(`${mocks.urls.catalog}/products/42`)).body).toEqual({
        id: '42',
        name: 'Recycled Metal Jacket',
        description: 'A quiet classic, this metal jacket comes with a two-year warranty. Part of our Clothing collection.',
        category: 'Clothing',
        images: ['https://img.example.com/p/42-1.jpg', 'https://img.example.com/p/42-2.jpg'],
      })
      const batch = await get(`${mocks.urls.catalog}/products?ids=1,42,5001`)
      expect(batch.body.products.map((p: { id: string }) => p.id).sort()).toEqual(['1', '42'])
      expect((await get(`${mocks.urls.catalog}/products/5001`)).status).toBe(404)
    })

    it('GET /search pages through every match with opaque cursors', async () => {
      const first = await get(`${mocks.urls.catalog}/search?q=Steel%20LAMP&first=3`)
      expect(first.status).toBe(200)
      expect(first.body.total).toBe(4)
      expect(first.body.hasNextPage).toBe(true)
      expect(first.body.items).toHaveLength(3)
      for (const { product } of first.body.items) expect(`${product.name} ${product.description}`.toLowerCase()).toMatch(/steel[\s\S]*lamp|lamp[\s\S]*steel/)
      expect(first.body.endCursor).toBe(first.body.items[2].cursor)
      const rest = await get(`${mocks.urls.catalog}/search?q=steel+lamp&first=3&after=${first.body.endCursor}`)
      expect(rest.body.items).toHaveLength(1)
      expect(rest.body.hasNextPage).toBe(false)
      const ids = [...first.body.items, ...rest.body.items].map((item: { product: { id: string } }) => Number(item.product.id))
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
    })

    it('GET /search answers an empty page with a null endCursor', async () => {
      const answer = await get(`${mocks.urls.catalog}/search?q=zzzzzz`)
      expect(answer.body).toEqual({ items: [], hasNextPage: false, endCursor: null, total: 0 })
    })

    it.each(['/search', '/search?q=lamp&first=0', '/search?q=lamp&first=101', '/search?q=lamp&after=garbage', '/search?q=a&q=b'])(
      'GET %s answers 400',
      async (path) => {
        expect((await get(`${mocks.urls.catalog}${path}`)).status).toBe(400)
      },
    )
  })

  it('inventory: GET /inventory?ids= answers seeded stock and prices', async () => {
    const answer = await get(`${mocks.urls.inventory}/inventory?ids=1,42`)
    const byId = Object.fromEntries(answer.body.items.map((i: { productId: string }) => [i.productId, i]))
    expect(byId).toEqual({
      '1': { productId: '1', stock: 206, price: { amount: 46_192, currency: 'USD' } },
      '42': { productId: '42', stock: 215, price: { amount: 14_896, currency: 'USD' } },
    })
  })

  describe('orders', () => {
    it('GET /users/:userId/orders pages newest first with per-item cursors', async () => {
      const seen: string[] = []
      let after: string | null = null
      for (let page = 0; page < 4; page++) {
        const query: string = after === null ? '?first=5' : `?first=5&after=${after}`
        const answer = await get(`${mocks.urls.orders}/users/1/orders${query}`)
        expect(answer.body.cursors).toHaveLength(answer.body.orders.length)
        expect(answer.body.endCursor).toBe(answer.body.cursors.at(-1) ?? null)
        seen.push(...answer.body.orders.map((o: { id: string; status: string }) => `${o.id}:${o.status}`))
        after = answer.body.endCursor
        if (!answer.body.hasNextPage) break
      }
      expect(seen).toEqual([
        '7632:PAID', '6843:PLACED', '5585:SHIPPED', '5477:PAID', '4968:PAID', '4677:DELIVERED',
        '4310:DELIVERED', '4097:PAID', '1397:PLACED', '1274:DELIVERED', '1062:PLACED', '775:DELIVERED',
      ])
    })

    it('a cursor from the middle of a page resumes right after that order', async () => {
      const answer = await get(`${mocks.urls.orders}/users/1/orders?first=3`)
      const next = await get(`${mocks.urls.orders}/users/1/orders?first=2&after=${answer.body.cursors[0]}`)
      expect(next.body.orders.map((o: { id: string }) => o.id)).toEqual(['6843', '5585'])
    })

    it('GET /orders/:id and GET /orders?ids= answer the seeded order', async () => {
      const order = {
        id: '7632',
        userId: '1',
        status: 'PAID',
        createdAt: '2024-12-13T14:36:22.000Z',
        items: [
          { productId: '4986', quantity: 3, unitPrice: { amount: 10_520, currency: 'USD' } },
          { productId: '2509', quantity: 1, unitPrice: { amount: 16_936, currency: 'USD' } },
        ],
        total: { amount: 48_496, currency: 'USD' },
      }
      expect((await get(`${mocks.urls.orders}/orders/7632`)).body).toEqual(order)
      expect((await get(`${mocks.urls.orders}/orders?ids=7632,99999999`)).body).toEqual({ orders: [order] })
      expect((await get(`${mocks.urls.orders}/orders/99999999`)).status).toBe(404)
      expect((await get(`${mocks.urls.orders}/users/1/orders?after=${Buffer.from('search:1').toString('base64url')}`)).status).toBe(400)
    })
  })

  it('reviews: newest first with cursors and total; batch by id', async () => {
    const answer = await get(`${mocks.urls.reviews}/products/1/reviews?first=2`)
    expect(answer.status).toBe(200)
    expect(answer.body.total).toBe(7)
    expect(answer.body.hasNextPage).toBe(true)
    const [newest, second] = answer.body.reviews
    expect(Number(newest.id)).toBeGreaterThan(Number(second.id))
    expect(newest.createdAt >= second.createdAt).toBe(true)
    expect(Object.keys(newest).sort()).toEqual(['authorId', 'body', 'createdAt', 'id', 'likes', 'productId', 'rating'])
    const batch = await get(`${mocks.urls.reviews}/reviews?ids=555`)
    expect(batch.body).toEqual({
      reviews: [{ id: '555', productId: '637', authorId: '39', rating: 5, body: 'Arrived quickly. The finish feels premium.', likes: 28, createdAt: '2023-01-23T07:48:23.000Z' }],
    })
  })

  it('notifications: newest first with the unread count', async () => {
    const answer = await get(`${mocks.urls.notifications}/users/1/notifications?first=3`)
    expect(answer.body.unreadCount).toBe(5)
    expect(answer.body.notifications.map((n: { id: string; read: boolean }) => `${n.id}:${n.read}`)).toEqual(['16127:false', '13548:false', '13477:false'])
    expect((await get(`${mocks.urls.notifications}/users/1/notifications/unread-count`)).body).toEqual({ unreadCount: 5 })
    expect((await get(`${mocks.urls.notifications}/users/99999/notifications`)).status).toBe(404)
  })

  it('recommendations: deterministic per user, 404 for unknown users', async () => {
    expect((await get(`${mocks.urls.recommendations}/users/1/recommendations?first=5`)).body).toEqual({ productIds: ['2429', '3982', '4339', '1307', '1727'] })
    expect((await get(`${mocks.urls.recommendations}/users/1/recommendations?first=100`)).body.productIds).toHaveLength(27)
    expect((await get(`${mocks.urls.recommendations}/users/99999/recommendations`)).status).toBe(404)
  })
})
