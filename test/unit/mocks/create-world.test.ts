import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createWorld, WORLD_SIZES } from '../../../mocks/world/create-world.js'
import type { World } from '../../../mocks/world/types.js'

function digest(world: World): string {
  const hash = createHash('sha256')
  const collections = [world.users, world.followers, world.products, world.inventory, world.orders, world.reviews, world.notifications, world.unreadByUser, world.recommendations]
  for (const collection of collections) hash.update(JSON.stringify([...collection]))
  hash.update(JSON.stringify(world.sequences))
  return hash.digest('hex')
}

describe('createWorld', () => {
  const world = createWorld()

  it('is identical on every call', () => {
    expect(digest(createWorld())).toBe(digest(world))
  })

  it('hands out unshared state', () => {
    const other = createWorld()
    const inventory = other.inventory.get('1')
    expect(inventory).toBeDefined()
    if (inventory !== undefined) inventory.stock = -1
    expect(world.inventory.get('1')?.stock).toBe(206)
  })

  it('keeps its pinned seeded values', () => {
    expect(world.users.get('1')).toEqual({
      id: '1',
      name: 'Noor Larsen',
      handle: 'noor.larsen',
      avatarUrl: 'https://img.example.com/u/1.png',
      joinedAt: '2019-11-22T02:23:52.000Z',
    })
    expect(world.products.get('42')).toMatchObject({ name: 'Recycled Metal Jacket', category: 'Clothing' })
    expect(world.inventory.get('1')).toEqual({ productId: '1', stock: 206, price: { amount: 46_192, currency: 'USD' } })
    expect(world.ordersByUser.get('1')?.at(-1)?.id).toBe('7632')
  })

  it('has the promised sizes and ranges', () => {
    const range = (values: Iterable<number>): [number, number] => {
      let min = Infinity
      let max = -Infinity
      for (const v of values) {
        min = Math.min(min, v)
        max = Math.max(max, v)
      }
      return [min, max]
    }
    const products = [...world.products.values()]
    const inventory = [...world.inventory.values()]
    expect(world.users.size).toBe(WORLD_SIZES.users)
    expect(products).toHaveLength(WORLD_SIZES.products)
    expect(inventory).toHaveLength(WORLD_SIZES.products)
    expect(new Set([...world.users.values()].map((u) => u.handle)).size).toBe(WORLD_SIZES.users)
    expect(range(products.map((p) => p.images.length))).toEqual([1, 3])
    expect(new Set(products.map((p) => p.category)).size).toBe(12)
    expect(range(inventory.map((i) => i.stock))).toEqual([0, 500])
    const [minPrice, maxPrice] = range(inventory.map((i) => i.price.amount))
    expect(minPrice).toBeGreaterThanOrEqual(199)
    expect(maxPrice).toBeLessThanOrEqual(49_999)
    const followers = [...world.followers]
    expect(range(followers.map(([, ids]) => ids.length))).toEqual([0, 60])
    expect(followers.filter(([userId, ids]) => new Set(ids).size !== ids.length || ids.includes(userId))).toEqual([])
    expect(range([...world.recommendations.values()].map((ids) => ids.length))).toEqual([10, 30])
    expect(range([...world.reviewsByProduct.values()].map((list) => list.length))).toEqual([0, 8])
  })

  it('prices seeded orders from the seeded inventory and numbers them by time', () => {
    expect(world.ordersByUser.get('1')).toHaveLength(12)
    const problems: string[] = []
    const statuses = new Set<string>()
    for (const [userId, list] of world.ordersByUser) {
      if (userId !== '1' && list.length > 8) problems.push(`user ${userId} has ${list.length} orders`)
      list.forEach((order, i) => {
        statuses.add(order.status)
        const previous = list[i - 1]
        if (previous !== undefined && (Number(order.id) <= Number(previous.id) || order.createdAt < previous.createdAt)) {
          problems.push(`order ${order.id} is out of order`)
        }
        if (order.items.length < 1 || order.items.length > 4) problems.push(`order ${order.id} has ${order.items.length} lines`)
        let total = 0
        for (const item of order.items) {
          if (item.quantity < 1 || item.quantity > 3) problems.push(`order ${order.id} quantity ${item.quantity}`)
          if (item.unitPrice !== world.inventory.get(item.productId)?.price) problems.push(`order ${order.id} unit price`)
          total += item.unitPrice.amount * item.quantity
        }
        if (order.total.amount !== total || order.total.currency !== 'USD') problems.push(`order ${order.id} total`)
      })
    }
    expect(problems).toEqual([])
    expect(statuses).toEqual(new Set(['PLACED', 'PAID', 'SHIPPED', 'DELIVERED']))
    expect(world.sequences.nextOrderId).toBe(world.orders.size + 1)
  })

  it('keeps unread counters in step with the notifications', () => {
    for (const [userId, list] of world.notificationsByUser) {
      expect(list.length).toBeGreaterThanOrEqual(3)
      expect(list.length).toBeLessThanOrEqual(15)
      expect(world.unreadByUser.get(userId)).toBe(list.filter((n) => !n.read).length)
    }
    expect(world.unreadByUser.get('1')).toBe(5)
  })
})
