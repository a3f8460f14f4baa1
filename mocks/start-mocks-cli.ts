import { startEventGenerator, type EventGenerator } from './event-generator.js'
import { SERVICE_NAMES } from './services/service-names.js'
import { parseStartMocksConfig, USAGE } from './start-mocks-config.js'
import type { RunningMocks, StartMocksOptions } from './start-mocks.js'

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

  let mocks: RunningMocks
  try {
    mocks = await startMocks(config.options)
  } catch (err) {
    process.stderr.write(`start-mocks: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
  let generator: EventGenerator | undefined
  if (config.eventsIntervalMs > 0) {
    generator = startEventGenerator({
      urls: mocks.urls,
      intervalMs: config.eventsIntervalMs,
      onError: (err) => process.stderr.write(`start-mocks: event generator: ${err instanceof Error ? err.message : String(err)}\n`),
    })
  }
  for (const name of SERVICE_NAMES) process.stdout.write(`${name.padEnd(16)} ${mocks.urls[name]}\n`)
  process.stdout.write(`event generator  ${generator === undefined ? 'off' : `every ${config.eventsIntervalMs} ms`}\n`)

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
      process.exit(0)
    })()
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}
