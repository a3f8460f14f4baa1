import type { EventLog } from '../src/events/event-log.js'
import { createRedisStreamEventLog, type EventLogLogger } from '../src/events/redis-stream-event-log.js'
import { createTokenSource } from './auth/token-client.js'
import { startEventGenerator, type EventGenerator } from './event-generator.js'
import { SERVICE_NAMES } from './services/service-names.js'
import { parseStartMocksConfig, USAGE } from './start-mocks-config.js'
import type { RunningMocks, StartMocksOptions } from './start-mocks.js'

/** The Redis log's notices (restart, reset) go to stderr like the CLI's own messages. */
export const stderrLogger: EventLogLogger = {
  debug: () => undefined,
  info: (first: unknown, message?: string) => process.stderr.write(`start-mocks: event log: ${message ?? String(first)}\n`),
  warn: (first: unknown, message?: string) => process.stderr.write(`start-mocks: event log: ${message ?? String(first)}\n`),
}

/**
 * With REDIS_URL set, the services publish to Redis Streams (same key and
 * retention variables as the BFF: EVENT_LOG_STREAM_KEY, EVENT_LOG_MAX_LEN),
 * so BFF instances in other processes see their events.
 */
function redisEventLog(env: NodeJS.ProcessEnv): EventLog | undefined {
  const url = env['REDIS_URL']
  if (url === undefined || url === '') return undefined
  if (!/^rediss?:\/\//.test(url)) throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got "${url}"`)
  const maxLen = env['EVENT_LOG_MAX_LEN']
  if (maxLen !== undefined && maxLen !== '' && !/^\d{1,9}$/.test(maxLen)) throw new Error(`EVENT_LOG_MAX_LEN must be a positive integer, got "${maxLen}"`)
  return createRedisStreamEventLog({
    url,
    streamKey: env['EVENT_LOG_STREAM_KEY'] || undefined,
    maxLen: maxLen === undefined || maxLen === '' ? undefined : Number(maxLen),
    log: stderrLogger,
  })
}

/** The event generator acts for many users, so it holds an `admin` token when the services check identity. */
export function generatorToken(authUrl: string): () => Promise<string> {
  return createTokenSource(authUrl, { sub: 'event-generator', scope: 'admin' })
}

/**
 * `node dist/mocks/start-mocks.js`: the only place the mocks read `process.env`,
 * print, or exit. Exit codes: 2 bad configuration, 1 failed start.
 */
export async function runStartMocksCli(startMocks: (options: StartMocksOptions) => Promise<RunningMocks>): Promise<void> {
  const parsed = parseStartMocksConfig(process.env, process.argv.slice(2))
  if (!parsed.ok) {
    process.stderr.write(`start-mocks: ${parsed.message}\n\n${USAGE}`)
    process.exit(2)
  }
  const { config } = parsed
  if (config.help) {
    process.stdout.write(USAGE)
    return
  }

  let eventLog: EventLog | undefined
  try {
    eventLog = redisEventLog(process.env)
  } catch (err) {
    process.stderr.write(`start-mocks: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(2)
  }
  let mocks: RunningMocks
  try {
    mocks = await startMocks({ ...config.options, eventLog })
  } catch (err) {
    process.stderr.write(`start-mocks: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
    await eventLog?.close()
    process.exit(1)
  }
  let generator: EventGenerator | undefined
  if (config.eventsIntervalMs > 0) {
    generator = startEventGenerator({
      urls: mocks.urls,
      intervalMs: config.eventsIntervalMs,
      onError: (err) => process.stderr.write(`start-mocks: event generator: ${err instanceof Error ? err.message : String(err)}\n`),
      bearerToken: config.options.requireIdentity === true ? generatorToken(mocks.auth.url) : undefined,
    })
  }
  for (const name of SERVICE_NAMES) process.stdout.write(`${name.padEnd(16)} ${mocks.urls[name]}\n`)
  process.stdout.write(`${'auth'.padEnd(16)} ${mocks.auth.url}  (identity ${config.options.requireIdentity === true ? 'required by orders, notifications' : 'not required'})\n`)
  process.stdout.write(`event generator  ${generator === undefined ? 'off' : `every ${config.eventsIntervalMs} ms`}\n`)
  process.stdout.write(`event log        ${eventLog === undefined ? 'in-process' : 'Redis Streams (REDIS_URL)'}\n`)

  let stopping = false
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Second Ctrl-C: the user has given up waiting.
      process.exit(130)
    }
    stopping = true
    process.stdout.write(`start-mocks: ${signal}, closing\n`)
    void (async () => {
      await generator?.stop()
      await mocks.close()
      // Injected logs are not closed by mocks.close().
      await eventLog?.close()
      process.exit(0)
    })()
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
