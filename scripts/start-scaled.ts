/**
 * `npm run start:scaled -- --instances N`: the multi-instance topology on
 * this machine (scripts/scaled/topology.ts) — a private redis-server when
 * REDIS_URL is unset, the mocks and the event generator in their own process,
 * N BFF processes and HAProxy on :4000 with deploy/haproxy/haproxy.cfg.
 * Ctrl-C stops all of it.
 *
 *   --instances N        BFF processes (default 2)
 *   --port N             where HAProxy listens (default 4000)
 *   --events-interval ms event generator period, 0 = off (default 1000)
 */
import { parseArgs } from 'node:util'
import { stopChildrenOnExit } from '../bench/lib/child-processes.js'
import { startTopology, type Topology } from './scaled/topology.js'

function positiveInt(text: string, name: string, min: number): number {
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= min)) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`)
  return value
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { instances: { type: 'string', default: '2' }, port: { type: 'string', default: '4000' }, 'events-interval': { type: 'string', default: '1000' } },
  })
  const instances = positiveInt(values.instances, 'instances', 1)
  const port = positiveInt(values.port, 'port', 1)
  const eventsIntervalMs = positiveInt(values['events-interval'], 'events-interval', 0)
  // Whatever way out (Ctrl-C, a crash), no child outlives the launcher.
  const exit = stopChildrenOnExit('start:scaled')
  const redisUrl = process.env['REDIS_URL'] || null
  const topology: Topology = await startTopology({ instances, bind: `*:${port}`, redisUrl, eventsIntervalMs, auth: true, bffEnv: { GRAPHIQL_ENABLED: 'true', LOG_LEVEL: 'info' } })
  if (exit.interrupted) return
  const base = `http://localhost:${port}`
  process.stdout.write(
    `\n  reactive-bff: ${instances} instance(s) behind HAProxy\n` +
      `  GraphiQL   ${base}/graphiql\n  GraphQL    ${base}/graphql (HTTP and websocket)\n` +
      `  instances  ${topology.instances.map((slot) => `${slot.name} :${slot.port}`).join(', ')}\n` +
      `  Redis      ${topology.redisUrl}${redisUrl === null ? ' (private, append-only)' : ' (REDIS_URL)'}\n` +
      `  events     ${eventsIntervalMs === 0 ? 'generator off' : `generator every ${eventsIntervalMs} ms`}\n` +
      `  Ctrl-C stops all of it\n\n`,
  )
  const shutdown = (): void => {
    void topology.stop().finally(() => process.exit(0))
  }
  process.removeAllListeners('SIGINT')
  process.removeAllListeners('SIGTERM')
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((error: unknown) => {
  process.stderr.write(`start:scaled: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
