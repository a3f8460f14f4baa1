/**
 * `npm start`: the seven mock services, the event generator and the BFF in one
 * process, sharing the in-process event log (the embedded default, no Redis).
 * Service knobs: see mocks/README.md; BFF knobs: README.md "Configuration".
 */
import closeWithGrace from 'close-with-grace'
import { startMocks } from '../mocks/start-mocks.js'
import { loadConfig } from '../src/config/load-config.js'
import { SERVICE_NAMES } from '../src/config/services.js'
import { startServer } from '../src/server.js'

async function main(): Promise<void> {
  const config = loadConfig()
  const mocks = await startMocks({
    ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, Number(new URL(config.downstream.services[name].url).port)])),
  })
  // Embedded default: mocks publish into, and the BFF reads from, one in-process log.
  const app = await startServer(config, { eventLog: mocks.eventLog })
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host
  const base = `http://${host}:${config.server.port}`
  app.log.info(`GraphiQL: ${base}/graphiql   GraphQL: ${base}/graphql`)
  process.stdout.write(`\n  reactive-bff is up\n  GraphiQL  ${base}/graphiql\n  GraphQL   ${base}/graphql\n\n`)
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    await app.close()
    await mocks.close()
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
