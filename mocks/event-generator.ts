import { setTimeout as delay } from 'node:timers/promises'
import { request } from 'undici'
import { createPrng, DEFAULT_SEED } from './world/prng.js'
import type { ServiceName } from './services/service-names.js'

export interface EventGeneratorOptions {
  /** Base URLs of the running mocks (`RunningMocks.urls`); only orders, inventory and notifications are called. */
  readonly urls: Readonly<Pick<Record<ServiceName, string>, 'orders' | 'inventory' | 'notifications'>>
  /** Pause between two changes, in ms (>= 10). */
  readonly intervalMs: number
  /** Seed of the generator's own PRNG, so runs make the same sequence of choices. @default 42 */
  readonly seed?: undefined | number
  /** Stops the generator when aborted, like `stop()`. */
  readonly signal?: undefined | AbortSignal
  /** Per-request deadline, so a hung mock (hangRate) cannot stall the trickle. @default 5_000 */
  readonly requestTimeoutMs?: undefined | number
  /** Called with each failed tick; failures never stop the generator. @default ignore */
  readonly onError?: undefined | ((error: unknown) => void)
  /**
   * The bearer token sent on every call, read per call, for mocks started with
   * `requireIdentity` (the generator acts for many users, so give it scope
   * `admin`, e.g. `createTokenSource(mocks.auth.url, { sub: 'event-generator', scope: 'admin' })`).
   * @default no `Authorization` header
   */
  readonly bearerToken?: undefined | (() => Promise<string>)
}

export interface EventGenerator {
  /** Ticks completed so far (successful or not). */
  readonly ticks: number
  /** Stops after aborting any request in progress; resolves once the loop has exited. */
  stop(): Promise<void>
}

/** The first users get the activity, so a demo logged in as one of them sees it live. */
const ACTIVE_USERS = 20
const PRODUCTS = 5_000
const MESSAGES = ['Your order is on its way', 'Someone followed you', 'Price drop on an item you viewed', 'Your review got a like'] as const
const KINDS = ['ORDER', 'SOCIAL', 'PROMOTION'] as const

function isOrderList(value: unknown): value is { orders: Array<{ id: string; status: string }> } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { orders?: unknown }).orders)
}

/**
 * A slow trickle of changes through the services' own HTTP routes (so faults,
 * stats and domain events behave as for any client): advance an open order,
 * change a product's stock, or notify one of the first 20 users.
 */
export function startEventGenerator(options: EventGeneratorOptions): EventGenerator {
  const { urls, intervalMs } = options
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new TypeError(`startEventGenerator: intervalMs must be >= 10, got ${String(intervalMs)}`)
  const timeoutMs = options.requestTimeoutMs ?? 5_000
  const prng = createPrng(options.seed ?? DEFAULT_SEED)
  const controller = new AbortController()
  const stopSignal = options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal])
  let ticks = 0

  async function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {}
    if (options.bearerToken !== undefined) headers['authorization'] = `Bearer ${await options.bearerToken()}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await request(url, {
      method,
      signal: AbortSignal.any([stopSignal, AbortSignal.timeout(timeoutMs)]),
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const parsed: unknown = await response.body.json()
    if (response.statusCode >= 400) throw new Error(`${method} ${url} answered ${response.statusCode}`)
    return parsed
  }

  async function advanceSomeOrder(): Promise<void> {
    const userId = String(prng.int(1, ACTIVE_USERS))
    const listed = await call('GET', `${urls.orders}/users/${userId}/orders?first=20`)
    const open = isOrderList(listed) ? listed.orders.filter((o) => o.status !== 'DELIVERED') : []
    if (open.length === 0) {
      // Nothing left to advance for this user: place an order so the next ticks have one.
      const items = [{ productId: String(prng.int(1, PRODUCTS)), quantity: prng.int(1, 3) }]
      await call('POST', `${urls.orders}/orders`, { userId, items })
      return
    }
    await call('POST', `${urls.orders}/orders/${prng.pick(open).id}/advance`)
  }

  async function tick(): Promise<void> {
    switch (prng.int(0, 2)) {
      case 0:
        return advanceSomeOrder()
      case 1:
        await call('PUT', `${urls.inventory}/inventory/${prng.int(1, PRODUCTS)}`, { stock: prng.int(0, 500) })
        return
      default:
        await call('POST', `${urls.notifications}/users/${prng.int(1, ACTIVE_USERS)}/notifications`, {
          kind: prng.pick(KINDS),
          message: prng.pick(MESSAGES),
        })
    }
  }

  const loop = (async () => {
    while (!stopSignal.aborted) {
      try {
        await delay(intervalMs, undefined, { signal: stopSignal })
        await tick()
      } catch (error) {
        if (stopSignal.aborted) break
        options.onError?.(error)
      }
      ticks += 1
    }
  })()

  return {
    get ticks() {
      return ticks
    },
    async stop() {
      controller.abort()
      await loop
    },
  }
}
