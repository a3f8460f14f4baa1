import { describe, expect, it } from 'vitest'
import { createWorld } from '../../../mocks/world/create-world.js'
import { addNotification, advanceOrder, markNotificationsRead, placeOrder, updateInventory } from '../../../mocks/world/mutations.js'

describe('world mutations', () => {
  it('prices new orders from the current inventory and appends them as newest', () => {
    const world = createWorld()
    updateInventory(world, '5', { priceAmount: 1_000 })
    const outcome = placeOrder(world, { userId: '1', items: [{ productId: '5', quantity: 2 }, { productId: '1', quantity: 1 }] }, Date.UTC(2030, 0, 1))
    expect(outcome.ok).toBe(true)
    if (!outcome.ok) return
    expect(outcome.value).toMatchObject({ id: '8023', status: 'PLACED', createdAt: '2030-01-01T00:00:00.000Z', total: { amount: 2_000 + 46_192, currency: 'USD' } })
    expect(world.ordersByUser.get('1')?.at(-1)).toBe(outcome.value)
    expect(placeOrder(world, { userId: '9999', items: [] })).toMatchObject({ ok: false, reason: 'bad_request' })
    expect(placeOrder(world, { userId: '1', items: [{ productId: '5001', quantity: 1 }] })).toMatchObject({ ok: false, reason: 'bad_request' })
  })

  it('advances PLACED to DELIVERED and then conflicts', () => {
    const world = createWorld()
    const statuses: string[] = []
    for (let i = 0; i < 3; i++) {
      const outcome = advanceOrder(world, '6843')
      if (outcome.ok) statuses.push(outcome.value.status)
    }
    expect(statuses).toEqual(['PAID', 'SHIPPED', 'DELIVERED'])
    expect(advanceOrder(world, '6843')).toMatchObject({ ok: false, reason: 'conflict' })
    expect(advanceOrder(world, '999999')).toMatchObject({ ok: false, reason: 'not_found' })
  })

  it('marks only unread notifications and keeps the unread counters', () => {
    const world = createWorld()
    const unread = (world.notificationsByUser.get('1') ?? []).filter((n) => !n.read).map((n) => n.id)
    const added = addNotification(world, '1', 'SOCIAL', 'hello')
    expect(world.unreadByUser.get('1')).toBe(unread.length + 1)
    const changed = markNotificationsRead(world, [...unread, unread[0] ?? '', '999999'])
    expect(changed).toEqual(new Map([['1', unread]]))
    expect(world.unreadByUser.get('1')).toBe(1)
    expect(markNotificationsRead(world, [added?.id ?? ''])).toEqual(new Map([['1', [added?.id]]]))
    expect(world.unreadByUser.get('1')).toBe(0)
  })
})
