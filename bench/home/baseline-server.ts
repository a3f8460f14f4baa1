/**
 * `node dist/bench/home/baseline-server.js`: the CPU-mode yardstick. A plain
 * fastify route, `GET /home/:userId`, that makes the home query's downstream
 * calls with undici and answers the same JSON as the BFF's `data.home`, with
 * no GraphQL. It reads the BFF's own variable names (PORT, HOST, <SERVICE>_URL)
 * so the benchmark starts both servers with one environment.
 */
import Fastify from 'fastify'
import { randomUUID } from 'node:crypto'
import { createRemoteJWKSet, jwtVerify } from 'jose'
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

/**
 * With AUTH_JWKS_URL and AUTH_ISSUER set (the BFF's names), every request must
 * carry a bearer token that jose verifies against the provider's keys, as the
 * BFF does: what a team writing the endpoint by hand would do, without the
 * BFF's verified-token cache. Null: no verification (the benchmark's --no-auth).
 */
function createVerifier(): ((authorization: string | undefined) => Promise<boolean>) | null {
  const jwksUrl = process.env['AUTH_JWKS_URL']
  const issuer = process.env['AUTH_ISSUER']
  if (jwksUrl === undefined || jwksUrl === '' || issuer === undefined || issuer === '') return null
  const keys = createRemoteJWKSet(new URL(jwksUrl))
  const options = { issuer, audience: 'reactive-bff', algorithms: ['ES256', 'RS256'], clockTolerance: 5, requiredClaims: ['sub', 'exp'] }
  return async (authorization) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1]
    if (token === undefined) return false
    return jwtVerify(token, keys, options).then(
      () => true,
      () => false,
    )
  }
}

async function main(): Promise<void> {
  const verify = createVerifier()
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
  app.get<{ Params: { userId: string } }>('/home/:userId', async (request, reply) => {
    const { authorization } = request.headers
    if (verify !== null && !(await verify(authorization))) return reply.code(401).send({ error: 'invalid_token' })
    // The BFF forwards a request id and the caller's token to every downstream call; so does the yardstick.
    const requestId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : randomUUID()
    return baselineHome(pools, request.params.userId, requestId, verify === null ? undefined : authorization)
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
