import { request } from 'undici'
import WebSocket from 'ws'
import { HOME_QUERY } from '../lib/home-query.js'

/**
 * What an anonymous client can send that a well-behaved one would not: the
 * outside probe's findings (issue "hardening against hostile input"), kept
 * small enough that none of them stalls the process today. The doubling
 * fragment document walks 2^n paths in the selection checks until that walk
 * is made linear, so n stays at 12 here (about 4,000 paths, milliseconds).
 */
export interface HostileRequest {
  readonly name: string
  /** Sends it once; resolves with what came back: `<status>` over HTTP, `close <code>` or `error` over a websocket. */
  send(origin: string, wsUrl: string): Promise<string>
}

/** No single hostile exchange may take the soak longer than this. */
const EXCHANGE_TIMEOUT_MS = 10_000

async function post(origin: string, body: string, contentType = 'application/json'): Promise<string> {
  const response = await request(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json' },
    body,
    headersTimeout: EXCHANGE_TIMEOUT_MS,
    bodyTimeout: EXCHANGE_TIMEOUT_MS,
  })
  await response.body.dump()
  return String(response.statusCode)
}

async function get(origin: string, params: Readonly<Record<string, string>>): Promise<string> {
  const response = await request(`${origin}/graphql?${new URLSearchParams(params).toString()}`, {
    headers: { accept: 'application/json' },
    headersTimeout: EXCHANGE_TIMEOUT_MS,
    bodyTimeout: EXCHANGE_TIMEOUT_MS,
  })
  await response.body.dump()
  return String(response.statusCode)
}

const postQuery = (origin: string, query: string, extra: Readonly<Record<string, unknown>> = {}): Promise<string> =>
  post(origin, JSON.stringify({ query, ...extra }))

/** `{ product(id: "1") { ...F0 } }` with fragment F<k> spreading F<k+1> twice: 2^n paths through n + 1 fragments. */
export function doublingFragments(n: number): string {
  const fragments = Array.from({ length: n }, (_, k) => `fragment F${k} on Product { ...F${k + 1} ...F${k + 1} name }`)
  return `{ product(id: "1") { ...F0 } } ${fragments.join(' ')} fragment F${n} on Product { name }`
}

function fragmentChain(n: number): string {
  const fragments = Array.from({ length: n }, (_, k) => `fragment C${k} on Product { ...C${k + 1} }`)
  return `{ product(id: "1") { ...C0 } } ${fragments.join(' ')} fragment C${n} on Product { name }`
}

const nested = (depth: number): string => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`
const wide = (fields: number): string => `{ ${Array.from({ length: fields }, (_, k) => `f${k}: __typename`).join(' ')} }`
const wideDownstream = (fields: number): string =>
  `{ ${Array.from({ length: fields }, (_, k) => `p${k}: product(id: "${k + 1}") { name price { formatted } }`).join(' ')} }`

/**
 * A websocket exchange: `script` runs once the socket is open and may send
 * anything; the result is the close code the server chose, or `open` when it
 * kept the socket until the script closed it itself.
 */
function wsExchange(wsUrl: string, script: (socket: WebSocket, messages: AsyncIterable<unknown>) => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
    let closedByUs = false
    const queue: unknown[] = []
    let wake: (() => void) | null = null
    const timer = setTimeout(() => socket.terminate(), EXCHANGE_TIMEOUT_MS)
    socket.on('message', (data) => {
      queue.push(JSON.parse(String(data)) as unknown)
      wake?.()
    })
    socket.on('error', () => undefined)
    socket.on('close', (code) => {
      clearTimeout(timer)
      wake?.()
      resolve(closedByUs ? 'open' : `close ${code}`)
    })
    const messages: AsyncIterable<unknown> = {
      async *[Symbol.asyncIterator]() {
        while (socket.readyState === socket.OPEN || queue.length > 0) {
          const next = queue.shift()
          if (next !== undefined) yield next
          else await new Promise<void>((r) => (wake = r))
        }
      },
    }
    socket.on('open', () => {
      script(socket, messages)
        .catch(() => undefined)
        .finally(() => {
          if (socket.readyState === socket.OPEN) {
            closedByUs = true
            socket.close(1000)
          }
        })
    })
  })
}

const typeOf = (message: unknown): string => (typeof message === 'object' && message !== null && 'type' in message ? String(message.type) : '')

/** Reads messages until `count` of them had one of `types`, or the socket closed. */
async function until(messages: AsyncIterable<unknown>, types: readonly string[], count = 1): Promise<void> {
  let seen = 0
  for await (const message of messages) if (types.includes(typeOf(message)) && (seen += 1) >= count) return
}

/** Sends one message and waits for the server to close the socket (or the exchange to time out). */
const sendAndWait = (wsUrl: string, message: string): Promise<string> =>
  wsExchange(wsUrl, async (socket, messages) => {
    socket.send(message)
    await until(messages, [])
  })

const init = '{"type":"connection_init"}'
const subscribe = (id: string, query: string, variables: Readonly<Record<string, unknown>> = {}): string =>
  JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })
const ORDERS_SUB = 'subscription ($u: ID!, $a: String) { orderStatusChanged(userId: $u, after: $a) { eventId order { id status } } }'

export const HOSTILE_REQUESTS: readonly HostileRequest[] = [
  { name: 'malformed JSON body', send: (o) => post(o, '{"query": "{ product(id: \\"1\\") { name }') },
  { name: 'body not an object', send: (o) => post(o, '[1,2,3]') },
  { name: 'query not a string', send: (o) => post(o, '{"query":42}') },
  { name: 'text/plain body', send: (o) => post(o, 'query { __typename }', 'text/plain') },
  { name: 'body over the limit', send: (o) => post(o, JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_100_000)}` })) },
  { name: 'parse error', send: (o) => postQuery(o, '{ product(id: "1") { name ') },
  { name: 'nested 1,000 deep', send: (o) => postQuery(o, nested(1_000)) },
  { name: '3,000 aliased fields', send: (o) => postQuery(o, wide(3_000)) },
  { name: '100 aliased product lookups', send: (o) => postQuery(o, wideDownstream(100)) },
  { name: 'unknown operationName (POST)', send: (o) => postQuery(o, 'query A { __typename }', { operationName: 'B' }) },
  { name: 'unknown operationName (GET)', send: (o) => get(o, { query: 'query A { __typename }', operationName: 'B' }) },
  { name: 'two anonymous operations (GET)', send: (o) => get(o, { query: '{ __typename } { __typename }' }) },
  { name: 'id of 20,000 characters', send: (o) => postQuery(o, `{ product(id: "${'9'.repeat(20_000)}") { name } }`) },
  { name: 'doubling fragments, n = 12', send: (o) => postQuery(o, doublingFragments(12)) },
  { name: 'fragment chain of 2,000', send: (o) => postQuery(o, fragmentChain(2_000)) },
  { name: 'unused variable', send: (o) => postQuery(o, 'query ($x: String) { __typename }') },
  { name: 'variable of the wrong type', send: (o) => postQuery(o, HOME_QUERY, { variables: { userId: { a: 1 } } }) },
  { name: 'ws: not JSON', send: (_o, ws) => sendAndWait(ws, 'not json') },
  { name: 'ws: subscribe before init', send: (_o, ws) => sendAndWait(ws, subscribe('1', '{ __typename }')) },
  {
    name: 'ws: no connection_init',
    send: (_o, ws) => wsExchange(ws, async (_s, messages) => until(messages, [])),
  },
  {
    name: 'ws: message over 1 MB',
    send: (_o, ws) => sendAndWait(ws, subscribe('1', `{ __typename } #${'x'.repeat(1_100_000)}`)),
  },
  {
    name: 'ws: duplicate operation id',
    send: (_o, ws) =>
      wsExchange(ws, async (s, messages) => {
        s.send(init)
        await until(messages, ['connection_ack'])
        s.send(subscribe('1', ORDERS_SUB, { u: '1' }))
        s.send(subscribe('1', ORDERS_SUB, { u: '2' }))
        await until(messages, [])
      }),
  },
  {
    name: 'ws: bad documents and after',
    send: (_o, ws) =>
      wsExchange(ws, async (s, messages) => {
        s.send(init)
        await until(messages, ['connection_ack'])
        s.send(subscribe('1', 'subscription { stockChanged('))
        s.send(subscribe('2', 'subscription { nope }'))
        s.send(subscribe('3', ORDERS_SUB, { u: '1', a: 'garbage' }))
        s.send(subscribe('4', ORDERS_SUB, { u: '9'.repeat(100) }))
        // Each is refused with `error`, or (the bad after) answered with an errors-only `next` and `complete`.
        await until(messages, ['error', 'complete'], 4)
      }),
  },
  {
    name: 'ws: 30 operations, then dropped',
    send: (_o, ws) =>
      wsExchange(ws, async (s, messages) => {
        s.send(init)
        await until(messages, ['connection_ack'])
        for (let k = 0; k < 30; k += 1) s.send(subscribe(String(k), ORDERS_SUB, { u: String((k % 20) + 1), a: '0-0' }))
        // Over the per-connection cap: the surplus gets TOO_MANY_SUBSCRIPTIONS; then the TCP connection just goes.
        await until(messages, ['error'], 5)
        s.terminate()
      }),
  },
]

/** Outcomes by request name, then by result (`400`, `close 4400`, `timeout`…), with counts. */
export type HostileOutcomes = Map<string, Map<string, number>>

/** Sends `HOSTILE_REQUESTS[n % length]`, recording its outcome; never throws. */
export async function sendHostile(n: number, origin: string, wsUrl: string, outcomes: HostileOutcomes): Promise<void> {
  const hostile = HOSTILE_REQUESTS[n % HOSTILE_REQUESTS.length] as HostileRequest
  const outcome = await hostile.send(origin, wsUrl).catch((err: unknown) => (err instanceof Error && err.name.includes('Timeout') ? 'timeout' : 'error'))
  const byOutcome = outcomes.get(hostile.name) ?? new Map<string, number>()
  byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1)
  outcomes.set(hostile.name, byOutcome)
}
