/**
 * `npm start`: the seven mock services, the auth mock, the event generator and the BFF in one
 * process, sharing the in-process event log (the embedded default, no Redis),
 * or publishing to and reading from Redis Streams when REDIS_URL is set.
 * Service knobs: see mocks/README.md; BFF knobs: README.md "Configuration".
 *
 * Dev-only knobs of this script (not BFF configuration):
 *   EVENT_GENERATOR=off              no background activity (default on)
 *   EVENT_GENERATOR_INTERVAL_MS=<n>  pause between two generated changes (default 1000)
 *   MOCK_REQUIRE_IDENTITY=false      orders and notifications stop checking bearer tokens (default true; false with AUTH_DISABLED=true)
 *   MOCK_AUTH_PORT=<n>               the auth mock's port (default 4008)
 *   MOCK_AUTH_KEY_GRACE_MS=<n>       how long a rotated-out key stays published (default 600000)
 */
import closeWithGrace from 'close-with-grace'
import { startEventGenerator, type EventGenerator } from '../mocks/event-generator.js'
import { generatorToken, stderrLogger } from '../mocks/start-mocks-cli.js'
import { parseStartMocksConfig } from '../mocks/start-mocks-config.js'
import { DEFAULT_AUTH_PORT, startMocks } from '../mocks/start-mocks.js'
import { loadConfig } from '../src/config/load-config.js'
import { SERVICE_NAMES } from '../src/config/services.js'
import { createRedisStreamEventLog } from '../src/events/redis-stream-event-log.js'
import { startServer } from '../src/server.js'

function generatorIntervalMs(env: NodeJS.ProcessEnv): number | null {
  if ((env['EVENT_GENERATOR'] ?? '').toLowerCase() === 'off') return null
  const text = env['EVENT_GENERATOR_INTERVAL_MS'] || '1000'
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= 10)) throw new Error(`EVENT_GENERATOR_INTERVAL_MS must be an integer >= 10, got "${text}"`)
  return value
}

/** The auth mock's knobs from env, as `start:mocks` reads them. */
function authOptions(env: NodeJS.ProcessEnv): { readonly port: number | undefined; readonly requireIdentity: boolean; readonly keyGraceMs: number | undefined } {
  // The BFF relays the caller's token, so the services can check it, unless the BFF runs with AUTH_DISABLED.
  const picked: Record<string, string> = { MOCK_REQUIRE_IDENTITY: env['AUTH_DISABLED'] === 'true' ? 'false' : 'true' }
  for (const key of ['MOCK_REQUIRE_IDENTITY', 'MOCK_AUTH_PORT', 'MOCK_AUTH_KEY_GRACE_MS']) {
    const value = env[key]
    if (value !== undefined && value !== '') picked[key] = value
  }
  const parsed = parseStartMocksConfig(picked, [])
  if (!parsed.ok) throw new Error(parsed.message)
  const { options } = parsed.config
  return { port: options.ports?.auth, requireIdentity: options.requireIdentity === true, keyGraceMs: options.auth?.keyGraceMs }
}

/** The BFF trusts the auth mock unless the environment names another provider (or AUTH_DISABLED). */
function devAuthEnv(authPort: number): Record<string, string> {
  const issuer = `http://127.0.0.1:${authPort}`
  return { AUTH_JWKS_URL: `${issuer}/.well-known/jwks.json`, AUTH_ISSUER: issuer, GRAPHIQL_DEV_TOKEN_URL: `${issuer}/token` }
}

async function main(): Promise<void> {
  const auth = authOptions(process.env)
  const config = loadConfig({ ...devAuthEnv(auth.port ?? DEFAULT_AUTH_PORT), ...process.env })
  const intervalMs = generatorIntervalMs(process.env)
  // With REDIS_URL the mocks publish to Redis Streams and the BFF reads it there (app.ts picks it from
  // config); otherwise both share one in-process log.
  const redisLog =
    config.redis.url === null ? undefined : createRedisStreamEventLog({ url: config.redis.url, ...config.subscriptions.eventLog, log: stderrLogger })
  const mocks = await startMocks({
    ports: {
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, Number(new URL(config.downstream.services[name].url).port)])),
      ...(auth.port === undefined ? {} : { auth: auth.port }),
    },
    eventLog: redisLog,
    requireIdentity: auth.requireIdentity,
    auth: { keyGraceMs: auth.keyGraceMs },
  })
  const app = await startServer(config, redisLog === undefined ? { eventLog: mocks.eventLog } : {})
  // A steady trickle of order, stock and notification changes, so GraphiQL shows live updates at once.
  const generator: EventGenerator | null =
    intervalMs === null
      ? null
      : startEventGenerator({
          urls: mocks.urls,
          intervalMs,
          onError: (err) => app.log.debug({ err }, 'event generator tick failed'),
          bearerToken: auth.requireIdentity ? generatorToken(mocks.auth.url) : undefined,
        })
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host
  const base = `http://${host}:${config.server.port}`
  app.log.info(`GraphiQL: ${base}/graphiql   GraphQL: ${base}/graphql`)
  process.stdout.write(
    `\n  reactive-bff is up\n  GraphiQL  ${base}/graphiql\n  GraphQL   ${base}/graphql (HTTP and websocket)\n  Dashboard ${base}/dashboard   Metrics ${base}/metrics\n` +
      `  events    ${generator === null ? 'generator off' : `generator every ${intervalMs} ms`}, ${redisLog === undefined ? 'in-process log' : 'Redis Streams'}\n` +
      `  auth      ${mocks.auth.url} (development identity provider, no password; see mocks/README.md)\n` +
      `            a token: curl -s -X POST ${mocks.auth.tokenUrl} -H 'content-type: application/json' -d '{"sub":"1"}'\n` +
      `            orders and notifications ${auth.requireIdentity ? 'require a bearer token' : 'do not check identity (MOCK_REQUIRE_IDENTITY=true turns that on)'}\n\n`,
  )
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    await generator?.stop()
    await app.close()
    await mocks.close()
    await redisLog?.close()
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
