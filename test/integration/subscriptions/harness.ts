import type { FastifyInstance } from 'fastify'
import { Writable } from 'node:stream'
import { onTestFinished } from 'vitest'
import { startMocks, type RunningMocks } from '../../../mocks/start-mocks.js'
import { buildApp, type AppOptions } from '../../../src/app.js'
import { loadConfig } from '../../../src/config/load-config.js'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import type { EventLog } from '../../../src/events/event-log.js'
import { createRedisStreamEventLog } from '../../../src/events/redis-stream-event-log.js'
import { createWsClient } from '../../helpers/ws-client.js'

/**
 * Real mocks and real BFF instances on ephemeral ports for subscription
 * tests; everything started here is torn down when the current test ends.
 */

export interface BffInstance {
  readonly app: FastifyInstance
  readonly httpUrl: string
  readonly wsUrl: string
  close(): Promise<void>
}

/** Collects pino lines so tests can assert on what the BFF logged. */
export function captureLogs(level = 'info') {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  return { lines, logger: { level, stream } }
}

/** The mocks' Redis log reports its own restart notices; they are not under test. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

/** The seven mocks, publishing to Redis Streams when `redisUrl` is given, else to their in-process log. */
export async function startTestMocks(options: { redisUrl?: string; streamKey?: string; eventLog?: EventLog } = {}): Promise<RunningMocks> {
  let eventLog: EventLog | undefined = options.eventLog
  if (options.redisUrl !== undefined) {
    eventLog = createRedisStreamEventLog({ url: options.redisUrl, streamKey: options.streamKey, log: quiet })
  }
  const ports = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0]))
  const mocks = await startMocks({ ports, eventLog })
  onTestFinished(async () => {
    await mocks.close()
    await eventLog?.close()
  })
  return mocks
}

export interface BffOptions {
  readonly env?: Record<string, string>
  /** Read the Redis Streams log instead of the mocks' in-process one. */
  readonly redisUrl?: string
  readonly streamKey?: string
  readonly logger?: Record<string, unknown>
  readonly authorizeSubscription?: AppOptions['authorizeSubscription']
}

export async function startBff(mocks: RunningMocks, options: BffOptions = {}): Promise<BffInstance> {
  const serviceUrls = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mocks.urls[name]]))
  const redisEnv: Record<string, string> =
    options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl, ...(options.streamKey ? { EVENT_LOG_STREAM_KEY: options.streamKey } : {}) }
  // Two shared cores: a second of event-loop lag would shed load by accident; tests about shedding set their own.
  const config = loadConfig({
    AUTH_DISABLED: 'true',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    GRAPHIQL_ENABLED: 'false',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '10000',
    // One address for every test client: the per-caller rate limit is tested in test/integration/edge.
    RATE_LIMIT_ENABLED: 'false',
    ...serviceUrls,
    ...redisEnv,
    ...options.env,
  })
  const app = await buildApp(config, {
    logger: options.logger ?? false,
    eventLog: options.redisUrl === undefined ? mocks.eventLog : undefined,
    authorizeSubscription: options.authorizeSubscription,
  })
  let closed: Promise<void> | undefined
  const close = (): Promise<void> => (closed ??= app.close())
  onTestFinished(close)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/graphql`, close }
}

/** A graphql-ws client disposed when the test ends. */
export function wsClientFor(bff: Pick<BffInstance, 'wsUrl'>, options: Parameters<typeof createWsClient>[1] = {}) {
  const client = createWsClient(bff.wsUrl, options)
  onTestFinished(() => client.dispose())
  return client
}
