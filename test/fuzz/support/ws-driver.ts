import { getOperationAST, parse, validate } from 'graphql'
import WebSocket from 'ws'
import { RESPONSE_BUDGET_MS } from './invariants.js'
import { distinctSorted, errorCodesOf, type Outcome } from './outcome.js'
import { fuzzSchema } from './schema-documents.js'
import { frameOf, type WsSequence, type WsStep } from './ws-sequences.js'

/**
 * Plays a message sequence on a real websocket and reports how the server
 * answered: its close code (or `open`), every error code it sent, and the
 * longest it made the client wait. The server's answers are awaited as events
 * with the response budget as deadline; a ping/pong round trip marks the
 * point by which the server has handled everything sent before it.
 */

interface Connection {
  readonly socket: WebSocket
  closeCode: number | null
  acks: number
  pongs: number
  /** Messages received per operation id, and how many of them ended an operation (error/complete). */
  readonly byId: Map<string, { count: number; ends: number }>
  readonly codes: string[]
  readonly messages: Record<string, string>
  uncoded: number
  slowestMs: number
  unanswered: string | undefined
  /** Re-checked on every event; resolves waits. */
  readonly listeners: Set<() => void>
}

function record(connection: Connection, data: WebSocket.RawData): void {
  let message: { type?: unknown; id?: unknown; payload?: unknown }
  try {
    message = JSON.parse(String(data)) as typeof message
  } catch {
    return
  }
  if (message.type === 'connection_ack') connection.acks += 1
  if (message.type === 'pong') connection.pongs += 1
  if (typeof message.id === 'string') {
    const entry = connection.byId.get(message.id) ?? { count: 0, ends: 0 }
    entry.count += 1
    if (message.type === 'error' || message.type === 'complete') entry.ends += 1
    connection.byId.set(message.id, entry)
  }
  if (message.type === 'error' || message.type === 'next') {
    const { codes, uncoded, messages } = errorCodesOf(message.payload)
    connection.codes.push(...codes)
    connection.uncoded += uncoded
    for (const [code, text] of Object.entries(messages)) connection.messages[code] ??= text
  }
}

/** Waits until `done()` or the socket closes; a wait past the budget is noted as unanswered. */
async function until(connection: Connection, what: string, done: () => boolean): Promise<void> {
  const started = performance.now()
  const settled = () => done() || connection.closeCode !== null
  if (!settled()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        connection.listeners.delete(check)
        connection.unanswered ??= `no answer within ${RESPONSE_BUDGET_MS} ms waiting for ${what}`
        resolve()
      }, RESPONSE_BUDGET_MS)
      const check = () => {
        if (!settled()) return
        clearTimeout(timer)
        connection.listeners.delete(check)
        resolve()
      }
      connection.listeners.add(check)
    })
  }
  connection.slowestMs = Math.max(connection.slowestMs, performance.now() - started)
}

async function roundTrip(connection: Connection): Promise<void> {
  if (connection.closeCode !== null || connection.socket.readyState !== WebSocket.OPEN) return
  const before = connection.pongs
  connection.socket.send('{"type":"ping"}')
  await until(connection, 'pong', () => connection.pongs > before)
}

/**
 * Whether the server must answer a subscribe: everything but a valid
 * subscription operation, which may stay silent until an event comes.
 */
function expectsAnswer(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return true
  const { query, operationName } = payload as { query?: unknown; operationName?: unknown }
  if (typeof query !== 'string') return true
  try {
    const document = parse(query)
    const operation = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined)
    return operation?.operation !== 'subscription' || validate(fuzzSchema, document).length > 0
  } catch {
    return true
  }
}

async function open(url: string, protocols: readonly string[]): Promise<Connection | string> {
  const socket = new WebSocket(url, [...protocols])
  const connection: Connection = {
    socket, closeCode: null, acks: 0, pongs: 0, byId: new Map(), codes: [], messages: {}, uncoded: 0, slowestMs: 0, unanswered: undefined, listeners: new Set(),
  }
  const notify = () => {
    for (const listener of [...connection.listeners]) listener()
  }
  socket.on('message', (data) => {
    record(connection, data)
    notify()
  })
  socket.on('close', (code, reason) => {
    connection.closeCode = code
    connection.messages['close'] = reason.toString()
    notify()
  })
  return new Promise<Connection | string>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate()
      resolve('no handshake')
    }, RESPONSE_BUDGET_MS)
    socket.once('open', () => {
      clearTimeout(timer)
      resolve(connection)
    })
    // The handshake refused with an HTTP status: that status is the outcome.
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer)
      socket.terminate()
      resolve(String(response.statusCode))
    })
    socket.on('error', () => {
      clearTimeout(timer)
      resolve('connection error')
    })
  })
}

/**
 * Sends one step; when paced, waits for what the server owes in return before
 * the next. `pending` maps each operation the server must end to the number
 * of ends its id must have seen by then.
 */
async function play(connection: Connection, step: WsStep, paced: boolean, pending: Map<string, number>): Promise<void> {
  const acksBefore = connection.acks
  const countBefore = step.kind === 'subscribe' ? (connection.byId.get(step.id)?.count ?? 0) : 0
  const answered = step.kind === 'subscribe' && expectsAnswer(step.payload)
  connection.socket.send(frameOf(step))
  if (step.kind === 'subscribe') {
    if (answered) pending.set(step.id, (connection.byId.get(step.id)?.ends ?? 0) + 1)
    else pending.delete(step.id)
  }
  if (step.kind === 'complete') pending.delete(step.id)
  if (!paced) return
  if (step.kind === 'init') await until(connection, 'connection_ack', () => connection.acks > acksBefore)
  else if (step.kind === 'subscribe' && answered) {
    await until(connection, `an answer to subscribe ${step.id}`, () => (connection.byId.get(step.id)?.count ?? 0) > countBefore)
  } else {
    await roundTrip(connection)
  }
}

export async function runWsSequence(url: string, sequence: WsSequence): Promise<Outcome> {
  const opened = await open(url, sequence.protocols)
  if (typeof opened === 'string') {
    // A handshake the server never answered is a hung request, not an outcome.
    const unanswered = opened === 'no handshake' ? `no handshake within ${RESPONSE_BUDGET_MS} ms` : undefined
    return { status: opened, codes: [], uncoded: 0, slowestMs: 0, unanswered }
  }
  const connection = opened
  const pending = new Map<string, number>()
  try {
    for (const step of sequence.steps) {
      if (connection.closeCode !== null || connection.socket.readyState !== WebSocket.OPEN) break
      await play(connection, step, sequence.paced, pending)
    }
    // Two round trips: the first pong may overtake an error the server was still writing.
    await roundTrip(connection)
    await roundTrip(connection)
    const ended = () => [...pending].every(([id, ends]) => (connection.byId.get(id)?.ends ?? 0) >= ends)
    await until(connection, `answers to operations ${[...pending.keys()].join(', ')}`, ended)
    return {
      status: connection.closeCode === null ? 'open' : `close ${connection.closeCode}`,
      codes: distinctSorted(connection.codes),
      uncoded: connection.uncoded,
      slowestMs: connection.slowestMs,
      unanswered: connection.unanswered,
      messages: connection.messages,
    }
  } finally {
    connection.socket.terminate()
  }
}
