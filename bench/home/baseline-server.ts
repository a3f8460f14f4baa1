/**
 * `node dist/bench/home/baseline-server.js`: the CPU-mode yardstick. A plain
 * fastify route, `GET /home/:userId`, that makes the home query's downstream
 * calls with undici and answers the same JSON as the BFF's `data.home`, with
 * no GraphQL. It reads the BFF's own variable names (PORT, HOST, <SERVICE>_URL)
 * so the benchmark starts both servers with one environment.
 */
import Fastify from 'fastify'
import { randomUUID } from 'node:crypto'
import { Pool } from 'undici'
import { baselineHome, type BaselinePools } from '../lib/baseline-home.js'

const SERVICES = ['users', 'orders', 'catalog', 'inventory', 'notifications', 'recommendations'] as const

function envOf(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`baseline-server: ${name} is required`)
  return value
}

/** The BFF's defaults (src/config/schema.ts), so the pools are not where the two differ. */
function createPool(url: string): Pool {
  return new Pool(url, {
    connections: 64,
    keepAliveTimeout: 30_000,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
    connect: { timeout: 1_000 },
    maxResponseSize: 8 * 1_048_576,
  })
}

async function main(): Promise<void> {
  const pools = Object.fromEntries(SERVICES.map((name) => [name, createPool(envOf(`${name.toUpperCase()}_URL`))])) as Record<
    (typeof SERVICES)[number],
    Pool
  > satisfies BaselinePools

  // Same server limits as the BFF's defaults, and no per-request logging (the BFF runs at LOG_LEVEL=warn).
  const app = Fastify({
    logger: false,
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    keepAliveTimeout: 72_000,
    forceCloseConnections: 'idle',
  })
  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get<{ Params: { userId: string } }>('/home/:userId', async (request) => {
    // The BFF forwards a request id to every downstream call; so does the yardstick.
    const requestId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : randomUUID()
    return baselineHome(pools, request.params.userId, requestId)
  })
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.close()))
  })

  await app.listen({ host: process.env['HOST'] ?? '127.0.0.1', port: Number(process.env['PORT'] ?? 0) })

  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    // A normal exit (not a kill) lets `node --cpu-prof` write its profile.
    void app.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline-server: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
