import closeWithGrace from 'close-with-grace'
import { pathToFileURL } from 'node:url'
import { buildApp, type AppOptions } from './app.js'
import { loadConfig, type Config } from './config/load-config.js'

/**
 * The only place that listens. Returns the running app so start-all can run
 * the BFF beside the mocks in one process.
 */
export async function startServer(config: Config, options: AppOptions = {}) {
  const app = await buildApp(config, options)
  await app.listen({ host: config.server.host, port: config.server.port })
  return app
}

async function main(): Promise<void> {
  const config = loadConfig()
  const app = await startServer(config)
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close pools (onClose hooks).
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    // Boot failures (bad config) must be readable without a logger.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
