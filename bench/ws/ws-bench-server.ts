/**
 * Child process of `npm run bench:ws`, in one of two roles (argv[2]):
 *  - `mocks`: the seven mocks, publishing to Redis Streams (argv[3] = REDIS_URL);
 *  - `bff`: one BFF instance (argv[4] = JSON env overrides) reading that
 *    stream (argv[3] = `redis`), or with the mocks in the same process sharing
 *    the in-process log (argv[3] = `memory`, the embedded default).
 * Talks to the parent over IPC: announces its URLs, answers stats requests
 * (RSS after a full GC, subscription counters, CPU time, event-loop delay, GC).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { startMocks, type RunningMocks } from '../../mocks/start-mocks.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { createRedisStreamEventLog } from '../../src/events/redis-stream-event-log.js'

/** `collect`: run a full GC first (RSS of what is really held); off mid-run, where it would stall the loop. */
export type ServerRequest = { readonly type: 'stats'; readonly id: number; readonly collect: boolean } | { readonly type: 'stop' }

export interface ServerStats {
  readonly rssBytes: number
  readonly heapUsedBytes: number
  /** Heap V8 has committed (used or not): RSS holds it even after a collection. */
  readonly heapTotalBytes: number
  /** Memory outside the JS heap that V8 tracks (Buffers and other ArrayBuffers). */
  readonly externalBytes: number
  /** user + system CPU time since start, in µs. */
  readonly cpuMicros: number
  /** Event-loop delay since the previous stats request: p99 and max, in ms. */
  readonly loopDelayMs: { readonly p99: number; readonly max: number }
  /** GC pauses since the previous stats request: count, total and longest, in ms. */
  readonly gc: { readonly count: number; readonly totalMs: number; readonly maxMs: number }
  readonly subscriptions: ReturnType<FastifyInstance['subscriptions']['stats']> | null
}

export type ServerMessage =
  | { readonly type: 'ready'; readonly wsUrl: string | null; readonly serviceUrls: Readonly<Record<string, string>> }
  | { readonly type: 'stats'; readonly id: number; readonly stats: ServerStats }

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

function send(message: ServerMessage): void {
  process.send?.(message)
}

function serveStats(app: FastifyInstance | null, close: () => Promise<void>): void {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let pauses = { count: 0, totalMs: 0, maxMs: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses = { count: pauses.count + 1, totalMs: pauses.totalMs + entry.duration, maxMs: Math.max(pauses.maxMs, entry.duration) }
    }
  }).observe({ entryTypes: ['gc'] })
  process.on('message', (message: ServerRequest) => {
    if (message.type === 'stop') {
      void close().then(() => process.exit(0))
      return
    }
    const loopDelayMs = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }
    const gc = pauses
    // Started with --expose-gc: RSS after a full collection is what the subscribers really hold.
    if (message.collect) (globalThis as { gc?: () => void }).gc?.()
    loop.reset()
    pauses = { count: 0, totalMs: 0, maxMs: 0 }
    const { user, system } = process.cpuUsage()
    const memory = process.memoryUsage()
    const subscriptions = app === null ? null : app.subscriptions.stats()
    send({ type: 'stats', id: message.id, stats: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external, cpuMicros: user + system, loopDelayMs, gc, subscriptions } })
  })
  // The parent going away must not leave servers holding ports on a shared machine.
  process.on('disconnect', () => process.exit(0))
}

async function startBff(env: Record<string, string>, mocks: RunningMocks | null): Promise<FastifyInstance> {
  const config = loadConfig({ AUTH_DISABLED: 'true', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', GRAPHIQL_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', SUBSCRIPTION_MAX_CONNECTIONS: '100000', ...env })
  const app = await buildApp(config, mocks === null ? {} : { eventLog: mocks.eventLog })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return app
}

const wsUrlOf = (app: FastifyInstance): string => {
  const address = app.server.address()
  return `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/graphql`
}

async function main(): Promise<void> {
  const [role = '', arg = '', envJson = '{}'] = process.argv.slice(2)
  const env = JSON.parse(envJson) as Record<string, string>
  const ports = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0]))
  if (role === 'mocks') {
    const eventLog = createRedisStreamEventLog({ url: arg, log: quiet })
    const mocks = await startMocks({ ports, eventLog })
    serveStats(null, async () => {
      await mocks.close()
      await eventLog.close()
    })
    send({ type: 'ready', wsUrl: null, serviceUrls: mocks.urls })
    return
  }
  if (arg === 'memory') {
    const mocks = await startMocks({ ports })
    const serviceEnv = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
    const app = await startBff({ ...env, ...serviceEnv }, mocks)
    serveStats(app, async () => {
      await app.close()
      await mocks.close()
    })
    send({ type: 'ready', wsUrl: wsUrlOf(app), serviceUrls: mocks.urls })
    return
  }
  const app = await startBff(env, null)
  serveStats(app, () => app.close())
  send({ type: 'ready', wsUrl: wsUrlOf(app), serviceUrls: {} })
}

main().catch((error: unknown) => {
  process.stderr.write(`ws-bench-server: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
