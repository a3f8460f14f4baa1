import type { FastifyInstance } from 'fastify'
import { request } from 'undici'
import { startMocks, type RunningMocks, type StartMocksOptions } from '../../mocks/start-mocks.js'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import type { EventLog } from '../../src/events/event-log.js'

export interface Stack {
  /** e.g. http://127.0.0.1:51234 */
  readonly bffUrl: string
  readonly app: FastifyInstance
  readonly mocks: RunningMocks
  readonly config: Config
  close(): Promise<void>
}

export interface StackOptions {
  /** Env-style overrides for the BFF config (e.g. { DOWNSTREAM_TIMEOUT_MS: '200' }). */
  readonly env?: Record<string, string>
  readonly mocks?: StartMocksOptions
  /** Logger passed to buildApp; false by default (tests capture logs explicitly where they assert on them). */
  readonly logger?: boolean | Record<string, unknown>
  /**
   * The log the BFF tails. @default the mocks' own log (as `npm start`), or
   * none of ours when REDIS_URL points the BFF at Redis Streams
   */
  readonly eventLog?: EventLog
  /**
   * Point the BFF at the mocks' identity provider (and, unless `mocks.requireIdentity`
   * says otherwise, make orders and notifications check the relayed token).
   * @default false: AUTH_DISABLED=true, every caller anonymous and unrestricted
   */
  readonly auth?: boolean
}

/**
 * Tests run beside others on two shared cores, where an 800 ms call limit (or
 * a second of event-loop lag, which sheds load) trips by accident. Tests about
 * time limits and load shedding set their own, short ones.
 */
const GENEROUS_TIME_LIMITS: Record<string, string> = {
  DOWNSTREAM_TIMEOUT_MS: '5000',
  RECOMMENDATIONS_TIMEOUT_MS: '5000',
  REQUEST_DEADLINE_MS: '10000',
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '10000',
  // A test worker holds many stacks in one heap: shedding on its fill level answered SERVER_OVERLOADED by accident.
  PRESSURE_MAX_HEAP_USED_RATIO: '1',
}

/** The BFF's settings that make it trust the mocks' identity provider. */
export function authEnvFor(mocks: Pick<RunningMocks, 'auth'>): Record<string, string> {
  // As npm start: GraphiQL gets its development tokens from the same provider.
  return { AUTH_JWKS_URL: mocks.auth.jwksUrl, AUTH_ISSUER: mocks.auth.url, GRAPHIQL_DEV_TOKEN_URL: mocks.auth.tokenUrl }
}

/**
 * Every test here calls from one address (127.0.0.1), so the per-caller rate
 * limit would couple unrelated tests through one bucket: it is off unless a
 * test turns it on (test/integration/edge).
 */
const RATE_LIMIT_OFF: Record<string, string> = { RATE_LIMIT_ENABLED: 'false' }

/** The seven mock services and the BFF, all on ephemeral ports, torn down by close(). */
export async function startStack(options: StackOptions | Record<string, string> = {}): Promise<Stack> {
  const opts: StackOptions =
    'env' in options || 'mocks' in options || 'logger' in options || 'eventLog' in options || 'auth' in options
      ? (options as StackOptions)
      : { env: options as Record<string, string> }
  const ports = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0]))
  const auth = opts.auth === true
  const mocks = await startMocks({ ports, requireIdentity: auth, ...opts.mocks })
  const serviceUrls = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
  const authEnv = auth ? authEnvFor(mocks) : { AUTH_DISABLED: 'true' }
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...GENEROUS_TIME_LIMITS, ...RATE_LIMIT_OFF, ...serviceUrls, ...authEnv, ...opts.env })
  let app: FastifyInstance
  try {
    // As in `npm start`: the BFF reads the log the mocks write (unless it is configured for Redis).
    const eventLog = opts.eventLog ?? (config.redis.url === null ? mocks.eventLog : undefined)
    app = await buildApp(config, { logger: opts.logger ?? false, eventLog })
    await app.listen({ host: '127.0.0.1', port: 0 })
  } catch (error) {
    await mocks.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    bffUrl: `http://127.0.0.1:${port}`,
    app,
    mocks,
    config,
    async close() {
      await app.close()
      await mocks.close()
    },
  }
}

export interface GraphQLAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] }
}

/** POSTs one GraphQL operation to the running BFF over real HTTP. */
export async function gql(
  stack: Pick<Stack, 'bffUrl'>,
  query: string,
  variables?: Record<string, unknown>,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<GraphQLAnswer> {
  const response = await request(`${stack.bffUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...init.headers },
    body: JSON.stringify({ query, variables }),
    ...(init.signal ? { signal: init.signal } : {}),
  })
  const body = (await response.body.json()) as GraphQLAnswer['body']
  return { status: response.statusCode, headers: response.headers, body }
}

/** Reads a mock service's /__admin/stats. */
export async function mockStats(url: string): Promise<{ requests: number; byRoute: Record<string, number>; inFlight: number }> {
  const response = await request(`${url}/__admin/stats`)
  return (await response.body.json()) as { requests: number; byRoute: Record<string, number>; inFlight: number }
}

/** Sets faults on a mock service (POST /__admin/faults). */
export async function setFaults(url: string, faults: Record<string, unknown>): Promise<void> {
  const response = await request(`${url}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  })
  await response.body.dump()
  if (response.statusCode !== 200) throw new Error(`setting faults failed with ${response.statusCode}`)
}

/** Resets stats and faults of every mock service. */
export async function resetMocks(mocks: RunningMocks): Promise<void> {
  await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const response = await request(`${mocks.urls[name]}/__admin/reset`, { method: 'POST' })
      await response.body.dump()
    }),
  )
}
