/**
 * The outside probe's memory finding in isolation (docs/benchmarks.md, "Soak"):
 * N websocket subscribers of one product's stock, K changes to it, each
 * delivered to every subscriber before the next; then every socket closed.
 * Prints heap used and RSS before, right after the sockets closed and once
 * the event data sources' 5 s are up, each as found and after a full GC.
 *
 *   npm run build && node --expose-gc --max-semi-space-size=16 --no-allocation-site-pretenuring \
 *     dist/bench/soak/burst-retention.js [--subscribers 1000] [--events 300]
 *
 * Mocks, BFF and clients share this process (the clients' garbage is gone
 * after the GC that each reading starts with), so it needs `--expose-gc`.
 */
import { parseArgs } from 'node:util'
import { request } from 'undici'
import WebSocket from 'ws'
import { startMocks } from '../../mocks/start-mocks.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { delay } from '../lib/child-processes.js'

const QUERY = 'subscription { stockChanged(productIds: ["1"]) { eventId product { id name stock price { formatted } } } }'
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1)

interface Reading {
  readonly heap: number
  readonly rss: number
}

/** Heap used and RSS, after a full collection when `collect` (the default). */
function read(collect = true): Reading {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  if (collect) gc()
  const { heapUsed, rss } = process.memoryUsage()
  return { heap: heapUsed, rss }
}

const show = (reading: Reading): string => `heap ${mb(reading.heap)}, RSS ${mb(reading.rss)}`

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { subscribers: { type: 'string', default: '1000' }, events: { type: 'string', default: '300' } } })
  const subscribers = Number(values.subscribers)
  const events = Number(values.events)
  const mocks = await startMocks({ ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])) })
  const serviceEnv = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
  const config = loadConfig({ AUTH_DISABLED: 'true', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', GRAPHIQL_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', ...serviceEnv })
  const app = await buildApp(config, { logger: false, eventLog: mocks.eventLog })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const wsUrl = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/graphql`

  let delivered = 0
  const sockets: WebSocket[] = []
  const open = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
      sockets.push(socket)
      socket.on('open', () => socket.send('{"type":"connection_init"}'))
      socket.on('message', (data) => {
        const type = (JSON.parse(String(data)) as { type: string }).type
        if (type === 'next') delivered += 1
        if (type !== 'connection_ack') return
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }))
        resolve()
      })
    })
  /** One stock change, waited for until all `count` subscribers have it. */
  const change = async (stock: number, count: number): Promise<void> => {
    const target = delivered + count
    const response = await request(`${mocks.urls.inventory}/inventory/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stock }),
    })
    await response.body.dump()
    while (delivered < target) await delay(2)
  }
  const closeAll = async (): Promise<void> => {
    for (const socket of sockets.splice(0)) socket.close()
    while (app.subscriptions.stats().connections > 0) await delay(20)
  }

  // Warm-up, so the reading before holds compiled code and pools, not only boot.
  await Promise.all(Array.from({ length: 10 }, open))
  for (let k = 0; k < 5; k += 1) await change(k, 10)
  await closeAll()
  await delay(6_000)
  const before = read()

  for (let opened = 0; opened < subscribers; opened += 100) await Promise.all(Array.from({ length: Math.min(100, subscribers - opened) }, open))
  const started = performance.now()
  for (let k = 0; k < events; k += 1) await change(100 + k, subscribers)
  const seconds = (performance.now() - started) / 1_000
  await closeAll()
  const closedAsIs = read(false)
  const closed = read()
  await delay(6_000)
  const afterTtlAsIs = read(false)
  const afterTtl = read()

  const held = Math.min(events, 256) * subscribers
  process.stdout.write(
    `burst retention: ${subscribers} subscribers x ${events} events (${delivered} deliveries in ${seconds.toFixed(0)} s); MB\n` +
      `  before, after GC                       ${show(before)}\n` +
      `  every socket closed, before GC         ${show(closedAsIs)}\n` +
      `  every socket closed, after GC          ${show(closed)}\n` +
      `  6 s later (past the TTL), before GC    ${show(afterTtlAsIs)}\n` +
      `  6 s later, after GC                    ${show(afterTtl)}\n` +
      `  heap held over before: ${mb(closed.heap - before.heap)} MB right after closing, ${mb(afterTtl.heap - before.heap)} MB 6 s later ` +
      `(${Math.round((afterTtl.heap - before.heap) / held)} bytes per subscriber x event of the last ${Math.min(events, 256)})\n`,
  )
  await app.close()
  await mocks.close()
}

main().catch((error: unknown) => {
  process.stderr.write(`burst-retention: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
