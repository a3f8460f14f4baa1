import WebSocket from 'ws'
import { compareEventIds } from '../../src/events/event-log.js'

/**
 * The bench's subscribers: N websocket connections, connection
 * i watching `stockChanged` for product (i mod products) + 1, with
 * publish→receive latency recorded per delivery.
 */
export interface SubscriberPool {
  /** Clients whose connection was acknowledged. */
  readonly connected: number
  /** Clients that failed to connect or were closed. */
  readonly failed: number
  /** Deliveries so far, and the ones that repeated an eventId or went backwards. */
  readonly delivered: number
  readonly duplicates: number
  /** Deliveries that carried GraphQL errors (e.g. a downstream call failed). */
  readonly withErrors: number
  /** publish→receive latencies in ms, and the publish time (performance.now()) of each. */
  readonly latencies: readonly number[]
  readonly publishedAt: readonly number[]
  /** Deliveries expected for what was published so far (publishes × subscribers of that product). */
  expected(publishedPerProduct: readonly number[]): number
  dispose(): void
}

export interface SubscriberPoolOptions {
  readonly wsUrl: string
  readonly subscribers: number
  readonly products: number
  /** Connections opened at once. */
  readonly batch: number
  /** Selection under stockChanged. */
  readonly selection: string
  /** Send time (performance.now()) of the k-th publish to a product, by product index. */
  readonly sentAt: readonly number[][]
}

export async function openSubscribers(options: SubscriberPoolOptions): Promise<SubscriberPool> {
  const sockets: WebSocket[] = []
  const latencies: number[] = []
  const publishedAt: number[] = []
  let connected = 0
  let failed = 0
  let delivered = 0
  let duplicates = 0
  let withErrors = 0
  const query = `subscription ($ids: [ID!]!) { stockChanged(productIds: $ids) { ${options.selection} } }`

  // A lean graphql-transport-ws client per connection (init, ack, one subscribe): the graphql-ws
  // client costs more memory, and this process's own GC pauses would show up as latency.
  function open(index: number): Promise<void> {
    const product = index % options.products
    let received = 0
    let lastEventId = '0-0'
    return new Promise<void>((resolve) => {
      let settled = false
      const settle = (): void => {
        if (!settled) {
          settled = true
          resolve()
        }
      }
      const socket = new WebSocket(options.wsUrl, 'graphql-transport-ws')
      sockets.push(socket)
      socket.on('open', () => socket.send('{"type":"connection_init"}'))
      socket.on('error', () => undefined)
      socket.on('close', () => {
        if (!settled) failed += 1
        settle()
      })
      socket.on('message', (data) => {
        const now = performance.now()
        const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { stockChanged?: { eventId?: string } | null } | null; errors?: unknown[] } }
        if (message.type === 'connection_ack') {
          connected += 1
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { ids: [String(product + 1)] } } }))
          settle()
          return
        }
        if (message.type !== 'next') return
        if (message.payload?.errors !== undefined) {
          withErrors += 1
          // One sample on stderr says what failed (e.g. a downstream overloaded) without flooding.
          if (withErrors === 1) process.stderr.write(`ws-bench: first delivery with errors: ${JSON.stringify(message.payload.errors).slice(0, 500)}\n`)
        }
        const eventId = message.payload?.data?.stockChanged?.eventId
        if (eventId !== undefined) {
          if (compareEventIds(eventId, lastEventId) <= 0) duplicates += 1
          lastEventId = eventId
        }
        const sent = options.sentAt[product]?.[received]
        received += 1
        delivered += 1
        if (sent !== undefined) {
          latencies.push(now - sent)
          publishedAt.push(sent)
        }
      })
    })
  }

  for (let start = 0; start < options.subscribers; start += options.batch) {
    const end = Math.min(start + options.batch, options.subscribers)
    const batch: Promise<void>[] = []
    for (let i = start; i < end; i += 1) batch.push(open(i))
    await Promise.all(batch)
  }

  return {
    get connected() {
      return connected
    },
    get failed() {
      return failed
    },
    get delivered() {
      return delivered
    },
    get duplicates() {
      return duplicates
    },
    get withErrors() {
      return withErrors
    },
    latencies,
    publishedAt,
    expected(publishedPerProduct) {
      let total = 0
      for (let product = 0; product < options.products; product += 1) {
        const watchers = Math.floor(options.subscribers / options.products) + (product < options.subscribers % options.products ? 1 : 0)
        total += watchers * (publishedPerProduct[product] ?? 0)
      }
      return total
    },
    dispose() {
      for (const socket of sockets) socket.terminate()
    },
  }
}
