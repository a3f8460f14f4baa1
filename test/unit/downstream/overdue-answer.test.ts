import Fastify from 'fastify'
import { Pool } from 'undici'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallContext } from '../../../src/downstream/call-context.js'
import type { DownstreamError } from '../../../src/downstream/errors.js'
import { createServicePolicy, DEFAULT_RETRY } from '../../../src/downstream/resilience/service-policy.js'
import { createServiceCaller } from '../../../src/downstream/service-caller.js'

/**
 * A service on its own thread, so it answers while this thread's event loop
 * is held: what a lagging BFF sees, an answer waiting in the socket. `/held`
 * tells this thread it has the request, then answers 20 ms later; `/slow`
 * answers after 300 ms.
 */
const SERVICE = `
const { createServer } = require('node:http')
const { parentPort } = require('node:worker_threads')
const server = createServer((req, res) => {
  const answer = () => { res.setHeader('content-type', 'application/json'); res.end('{"id":"1"}') }
  if (req.url === '/slow') setTimeout(answer, 300)
  else if (req.url === '/held') { parentPort.postMessage('received'); setTimeout(answer, 20) }
  else answer()
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
parentPort.on('message', () => server.close(() => process.exit(0)))
`

let worker: Worker
let pool: Pool

beforeAll(async () => {
  worker = new Worker(SERVICE, { eval: true })
  const port = await new Promise<number>((resolve) => worker.once('message', resolve))
  pool = new Pool(`http://127.0.0.1:${String(port)}`, { connections: 1 })
})
afterAll(async () => {
  await pool.close()
  worker.postMessage('stop')
  await new Promise((resolve) => worker.once('exit', resolve))
})

function context(): CallContext {
  return { requestId: 'req-1', signal: new AbortController().signal, log: Fastify({ logger: false }).log }
}

const ATTEMPT_MS = 50

function caller() {
  return createServiceCaller({
    service: 'users',
    dispatcher: pool,
    timeoutMs: ATTEMPT_MS,
    policy: createServicePolicy({ service: 'users', retry: { ...DEFAULT_RETRY, maxRetries: 0 } }),
    random: () => 0,
  })
}

/** Holds this thread's event loop for `ms` from the moment the service has the request, so its answer arrives meanwhile. */
function holdLoopOnceReceived(ms: number): void {
  worker.once('message', () => {
    const until = Date.now() + ms
    while (Date.now() < until) {
      // busy: the lagging loop under test
    }
  })
}

describe('an attempt whose limit runs out while the event loop lags', () => {
  it('takes the answer already waiting in its socket, instead of timing out ahead of it', async () => {
    const users = caller()
    await expect(users.call({ method: 'GET', path: '/users/1' }, context())).resolves.toEqual({ id: '1' })
    holdLoopOnceReceived(ATTEMPT_MS * 4)
    await expect(users.call({ method: 'GET', path: '/held' }, context())).resolves.toEqual({ id: '1' })
  })

  it('still times out when no answer has come by the limit', async () => {
    const error = await caller()
      .call({ method: 'GET', path: '/slow' }, context())
      .then(
        () => expect.fail('expected a timeout'),
        (failure: unknown) => failure as DownstreamError,
      )
    expect(error.code).toBe('DOWNSTREAM_TIMEOUT')
  })
})
