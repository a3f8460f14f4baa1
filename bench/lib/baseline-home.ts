import type { Dispatcher } from 'undici'

/**
 * The home screen written by hand, as a team without GraphQL would: the same
 * downstream calls as the BFF (same batch endpoints, same de-duplication, same
 * parallelism), plain async/await, hand-written guards for only the fields it
 * reads. It is the yardstick for what GraphQL, RxJS and zod validation cost.
 */

export interface BaselinePools {
  readonly users: Dispatcher
  readonly orders: Dispatcher
  readonly catalog: Dispatcher
  readonly inventory: Dispatcher
  readonly notifications: Dispatcher
  readonly recommendations: Dispatcher
}

type CallHeaders = Readonly<Record<string, string>>

/** Same per-call limit as the BFF's default DOWNSTREAM_TIMEOUT_MS. */
const CALL_TIMEOUT_MS = 800

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const objects = (value: unknown): readonly Json[] => (Array.isArray(value) ? value.filter(isObject) : [])
const text = (value: unknown): string => (typeof value === 'string' ? value : '')

async function getJson(pool: Dispatcher, path: string, callHeaders: CallHeaders): Promise<Json> {
  const response = await pool.request({
    method: 'GET',
    path,
    headers: callHeaders,
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  })
  // Read the body whatever the status: an unread body pins the socket.
  const body: unknown = await response.body.json()
  if (response.statusCode !== 200 || !isObject(body)) throw new Error(`GET ${path} answered ${response.statusCode}`)
  return body
}

/** One formatter per currency with its minor units read once (resolvedOptions() allocates per call). */
const formatters = new Map<string, { readonly format: (value: number) => string; readonly minorUnits: number }>()

function formatMoney(money: unknown): string | null {
  if (!isObject(money) || typeof money['amount'] !== 'number' || typeof money['currency'] !== 'string') return null
  const currency = money['currency']
  let formatter = formatters.get(currency)
  if (formatter === undefined) {
    const intl = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    formatter = { format: intl.format, minorUnits: 10 ** (intl.resolvedOptions().maximumFractionDigits ?? 2) }
    formatters.set(currency, formatter)
  }
  return formatter.format(money['amount'] / formatter.minorUnits)
}

export interface ProductCard {
  readonly name: string
  readonly price: { readonly formatted: string }
}

/** One catalog and one inventory batch call, side by side; a product without a price is not shown (as in the BFF). */
async function productCards(pools: BaselinePools, ids: readonly string[], callHeaders: CallHeaders): Promise<Map<string, ProductCard>> {
  const cards = new Map<string, ProductCard>()
  if (ids.length === 0) return cards
  const list = ids.join(',')
  const [catalog, inventory] = await Promise.all([
    getJson(pools.catalog, `/products?ids=${list}`, callHeaders),
    getJson(pools.inventory, `/inventory?ids=${list}`, callHeaders),
  ])
  const prices = new Map<string, string>()
  for (const item of objects(inventory['items'])) {
    const formatted = formatMoney(item['price'])
    if (formatted !== null) prices.set(text(item['productId']), formatted)
  }
  for (const product of objects(catalog['products'])) {
    const id = text(product['id'])
    const formatted = prices.get(id)
    if (formatted !== undefined) cards.set(id, { name: text(product['name']), price: { formatted } })
  }
  return cards
}

async function recentOrders(pools: BaselinePools, userId: string, callHeaders: CallHeaders) {
  const page = await getJson(pools.orders, `/users/${userId}/orders?first=5`, callHeaders)
  const orders = objects(page['orders'])
  const productIds = new Set<string>()
  for (const order of orders) for (const item of objects(order['items'])) productIds.add(text(item['productId']))
  const cards = await productCards(pools, [...productIds], callHeaders)
  return orders.map((order) => ({
    id: text(order['id']),
    status: text(order['status']),
    items: objects(order['items']).map((item) => ({
      quantity: typeof item['quantity'] === 'number' ? item['quantity'] : 0,
      product: cards.get(text(item['productId'])) ?? null,
    })),
  }))
}

async function recommendations(pools: BaselinePools, userId: string, callHeaders: CallHeaders): Promise<readonly ProductCard[]> {
  const answer = await getJson(pools.recommendations, `/users/${userId}/recommendations?first=10`, callHeaders)
  const ids = Array.isArray(answer['productIds']) ? answer['productIds'].map(text) : []
  const cards = await productCards(pools, [...new Set(ids)], callHeaders)
  return ids.flatMap((id) => cards.get(id) ?? [])
}

async function user(pools: BaselinePools, userId: string, callHeaders: CallHeaders) {
  const answer = await getJson(pools.users, `/users?ids=${userId}`, callHeaders)
  const found = objects(answer['users'])[0]
  return found === undefined ? null : { id: text(found['id']), name: text(found['name']), avatarUrl: text(found['avatarUrl']) }
}

async function notifications(pools: BaselinePools, userId: string, callHeaders: CallHeaders) {
  const feed = await getJson(pools.notifications, `/users/${userId}/notifications?first=5`, callHeaders)
  return {
    unreadCount: typeof feed['unreadCount'] === 'number' ? feed['unreadCount'] : 0,
    latest: objects(feed['notifications']).map((n) => ({ message: text(n['message']) })),
  }
}

/** A failed leg nulls its own field only, as the BFF does. */
const orNull = <T>(leg: Promise<T>): Promise<T | null> => leg.catch(() => null)

/** The same JSON as the BFF's `data.home` for the benchmark's query. */
export async function baselineHome(pools: BaselinePools, userId: string, requestId: string, authorization?: undefined | string) {
  // What the BFF sends on every downstream call: the request id, and the caller's token when there is one.
  const callHeaders: CallHeaders = authorization === undefined ? { 'x-request-id': requestId } : { 'x-request-id': requestId, authorization }
  const id = encodeURIComponent(userId)
  const [u, orders, recs, feed] = await Promise.all([
    orNull(user(pools, id, callHeaders)),
    orNull(recentOrders(pools, id, callHeaders)),
    // The BFF answers [] (plus an error entry) when recommendations fail.
    recommendations(pools, id, callHeaders).catch(() => []),
    orNull(notifications(pools, id, callHeaders)),
  ])
  return { user: u, recentOrders: orders, recommendations: recs, notifications: feed }
}
