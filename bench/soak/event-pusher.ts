import { Pool } from 'undici'
import type { ServiceName } from '../../src/config/services.js'
import { ACTIVE_USERS, HOT_PRODUCTS, HOTTEST_PRODUCT } from './soak-subscribers.js'

/**
 * Live events for the soak, made through the mocks' own routes (so they land
 * in the event log exactly as the services' changes do): stock changes on the
 * hot products, notifications and order placements/advances for the active
 * users, in a fixed rotation of 6 : 2 : 2.
 */
export interface EventPusher {
  /** Changes requested so far, and those that failed. */
  readonly pushed: number
  readonly failed: number
  /** Makes the n-th change (n counts from 0); never throws. */
  push(n: number): Promise<void>
  /** Changes the stock of the product every stock subscriber watches (a burst); never throws. */
  pushHottest(n: number): Promise<void>
  close(): Promise<void>
}

const MESSAGES = ['Your order is on its way', 'Price drop on an item you viewed', 'Someone followed you'] as const

export function createEventPusher(urls: Readonly<Record<ServiceName, string>>): EventPusher {
  const inventory = new Pool(urls.inventory, { connections: 4 })
  const notifications = new Pool(urls.notifications, { connections: 2 })
  const orders = new Pool(urls.orders, { connections: 2 })
  /** Orders placed by the pusher and not yet DELIVERED: advanced before new ones are placed. */
  const open: Array<{ id: string; advances: number }> = []
  let pushed = 0
  let failed = 0
  let sampleShown = false

  async function call(pool: Pool, method: 'PUT' | 'POST', path: string, body: unknown): Promise<unknown> {
    const response = await pool.request({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    })
    const parsed: unknown = await response.body.json()
    if (response.statusCode >= 400) throw new Error(`${method} ${path} answered ${response.statusCode}`)
    return parsed
  }

  async function orderChange(n: number): Promise<void> {
    const next = open[0]
    if (next !== undefined && open.length >= ACTIVE_USERS) {
      // The mocks' own event generator advances orders too: one it finished (409) is dropped here.
      await call(orders, 'POST', `/orders/${next.id}/advance`, {}).catch((err: unknown) => {
        open.shift()
        throw err
      })
      next.advances += 1
      // PLACED → PAID → SHIPPED → DELIVERED: three advances and the order is done.
      if (next.advances === 3) open.shift()
      return
    }
    const userId = String((n % ACTIVE_USERS) + 1)
    const placed = await call(orders, 'POST', '/orders', { userId, items: [{ productId: String((n % HOT_PRODUCTS) + 1), quantity: 1 }] })
    const id = typeof placed === 'object' && placed !== null && 'id' in placed ? placed.id : undefined
    if (typeof id === 'string') open.push({ id, advances: 0 })
  }

  function change(n: number): Promise<unknown> {
    const slot = n % 10
    if (slot < 6) return call(inventory, 'PUT', `/inventory/${(n % HOT_PRODUCTS) + 1}`, { stock: n % 500 })
    if (slot < 8) {
      return call(notifications, 'POST', `/users/${(n % ACTIVE_USERS) + 1}/notifications`, { kind: 'ORDER', message: MESSAGES[n % MESSAGES.length] })
    }
    return orderChange(n)
  }

  return {
    get pushed() {
      return pushed
    },
    get failed() {
      return failed
    },
    push: (n) => counted(change(n)),
    pushHottest: (n) => counted(call(inventory, 'PUT', `/inventory/${HOTTEST_PRODUCT}`, { stock: n % 500 })),
    async close() {
      await Promise.all([inventory.close(), notifications.close(), orders.close()])
    },
  }

  async function counted(pending: Promise<unknown>): Promise<void> {
    pushed += 1
    await pending.catch((err: unknown) => {
      failed += 1
      if (!sampleShown) {
        sampleShown = true
        process.stderr.write(`soak: first failed event push: ${err instanceof Error ? err.message : String(err)}\n`)
      }
    })
  }
}
