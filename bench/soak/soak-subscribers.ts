import WebSocket from 'ws'

/**
 * The soak's websocket subscribers: lean graphql-transport-ws clients
 * (connection_init, one subscribe), like bench/ws-subscribers.ts, but over
 * all three subscription fields with nested selections, so every delivery
 * resolves downstream data the way a real screen asks for it.
 */

/** Products whose stock the soak changes; stock subscribers watch a few of them each. */
export const HOT_PRODUCTS = 100
/** The users whose orders and notifications change (the mocks' event generator uses users 1–20 too). */
export const ACTIVE_USERS = 20
const PRODUCTS_PER_STOCK_SUBSCRIPTION = 5

const STOCK = `subscription Stock($ids: [ID!]!) { stockChanged(productIds: $ids) { eventId occurredAt product { id name stock price { formatted } } } }`
const ORDERS = `subscription Orders($userId: ID!) { orderStatusChanged(userId: $userId) { eventId order { id status total { formatted } items { quantity product { name } } } } }`
const NOTIFICATIONS = `subscription Notifications($userId: ID!) { notificationAdded(userId: $userId) { eventId notification { id kind message createdAt } } }`

/** The product every stock subscriber watches: a burst of changes to it reaches 6 in 10 subscribers at once. */
export const HOTTEST_PRODUCT = '1'

/** Subscriber i's operation: 6 in 10 watch stock (the hottest product and four others), 2 orders, 2 notifications. */
function operationOf(index: number): { readonly query: string; readonly variables: Readonly<Record<string, unknown>> } {
  const slot = index % 10
  if (slot < 6) {
    const others = Array.from({ length: PRODUCTS_PER_STOCK_SUBSCRIPTION - 1 }, (_, k) => String(((index * 7 + k * 13) % (HOT_PRODUCTS - 1)) + 2))
    return { query: STOCK, variables: { ids: [HOTTEST_PRODUCT, ...others] } }
  }
  const userId = String((index % ACTIVE_USERS) + 1)
  return slot < 8 ? { query: ORDERS, variables: { userId } } : { query: NOTIFICATIONS, variables: { userId } }
}

/** How a connection is ended: a clean close, a `complete` first, or a dropped TCP connection. */
export type Goodbye = 'close' | 'complete-then-close' | 'terminate'

export interface SubscriberPool {
  /** Connections acknowledged and subscribed, currently open. */
  readonly open: number
  /** Connections that failed before the ack or closed unasked. */
  readonly failed: number
  readonly deliveries: number
  /** Deliveries that carried GraphQL errors (e.g. a downstream call failed). */
  readonly deliveriesWithErrors: number
  /** Opens `count` more subscribers, `batch` at a time; resolves once each is acked or failed. */
  add(count: number): Promise<void>
  /** Ends `count` of the oldest open subscribers, each the next way in turn; resolves when their sockets have closed. */
  remove(count: number): Promise<void>
  /** Ends every connection and waits for each socket's close. */
  closeAll(): Promise<void>
}

interface Client {
  readonly socket: WebSocket
  readonly closed: Promise<void>
  /** Set when we end it: a close we asked for is not a failure. */
  leaving: boolean
}

const GOODBYES: readonly Goodbye[] = ['close', 'complete-then-close', 'terminate']

export function createSubscriberPool(wsUrl: string, batch: number): SubscriberPool {
  const clients = new Set<Client>()
  let opened = 0
  let failed = 0
  let deliveries = 0
  let deliveriesWithErrors = 0
  let goodbyes = 0
  let sampleShown = false

  function open(index: number): Promise<void> {
    const { query, variables } = operationOf(index)
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
    let acked = false
    let settle: () => void = () => undefined
    const ready = new Promise<void>((resolve) => {
      settle = resolve
    })
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        clients.delete(client)
        if (!acked || !client.leaving) failed += 1
        settle()
        resolve()
      })
    })
    const client: Client = { socket, closed, leaving: false }
    socket.on('error', () => undefined)
    socket.on('open', () => socket.send('{"type":"connection_init"}'))
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { errors?: unknown } }
      if (message.type === 'connection_ack') {
        acked = true
        clients.add(client)
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }))
        settle()
        return
      }
      if (message.type === 'ping') socket.send('{"type":"pong"}')
      if (message.type !== 'next') return
      deliveries += 1
      if (message.payload?.errors !== undefined) {
        deliveriesWithErrors += 1
        if (!sampleShown) {
          sampleShown = true
          process.stderr.write(`soak: first delivery with errors: ${JSON.stringify(message.payload.errors).slice(0, 300)}\n`)
        }
      }
    })
    return ready
  }

  function end(client: Client, how: Goodbye): Promise<void> {
    client.leaving = true
    if (how === 'terminate') client.socket.terminate()
    else {
      if (how === 'complete-then-close') client.socket.send('{"id":"1","type":"complete"}')
      client.socket.close(1000, 'bye')
    }
    return client.closed
  }

  return {
    get open() {
      return clients.size
    },
    get failed() {
      return failed
    },
    get deliveries() {
      return deliveries
    },
    get deliveriesWithErrors() {
      return deliveriesWithErrors
    },
    async add(count) {
      for (let done = 0; done < count; done += batch) {
        const slice: Promise<void>[] = []
        for (let i = done; i < Math.min(count, done + batch); i += 1) slice.push(open((opened += 1)))
        await Promise.all(slice)
      }
    },
    async remove(count) {
      const leaving = [...clients].slice(0, count)
      await Promise.all(leaving.map((client) => end(client, GOODBYES[(goodbyes += 1) % GOODBYES.length] as Goodbye)))
    },
    async closeAll() {
      await Promise.all([...clients].map((client) => end(client, GOODBYES[(goodbyes += 1) % GOODBYES.length] as Goodbye)))
    },
  }
}
