/**
 * The defaults at saturation on a starved core: the uncached BFF (shipped
 * flags and settings, auth on) pinned to core 0 beside a busy loop that takes
 * about half of that core, 50 connections of the home query from wrk on core
 * 1, mocks at ~1 ms (healthy services). What a shared host did by accident
 * in earlier runs, made on purpose: the BFF's own event loop lags, every
 * round trip it measures grows, and the question is whether it answers with
 * errors although every service is healthy.
 *
 *   npm run bench:starved -- [--rounds 3] [--duration 20] [--loops 1] [--variant KEY=VALUE[,KEY=VALUE]]
 *
 * `--loops n` puts n busy loops on the BFF's core: it gets about 1/(n+1) of it.
 *
 * A `--variant` starts a second BFF with that extra environment, measured in
 * alternating rounds beside the first (`NODE_ARGS=…` passes node flags).
 * Each round reports the answers holding an error by code, and the lowest
 * concurrency limit each service had during the round (readiness, sampled
 * every 250 ms).
 */
import { parseArgs } from 'node:util'
import { externalLoad } from '../home/load-generator.js'
import { isRecord, requestJson } from '../lib/admin-client.js'
import { keyValue } from '../lib/bench-options.js'
import { delay, spawnChild, stopAll, stopChildrenOnExit } from '../lib/child-processes.js'
import { CPU_MODE_LATENCIES } from '../lib/critical-path.js'
import { benchToken, startMocksProcess } from '../lib/mocks-process.js'
import { OTHER_CPU, pinSelf, SERVER_CPU } from '../lib/pinning.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { bffEnv, nodeFlagsOf } from '../lib/server-env.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'

const CONNECTIONS = 50

function parseOptions(argv: readonly string[]): { rounds: number; durationS: number; loops: number; variant: Readonly<Record<string, string>> | null } {
  const { values } = parseArgs({ args: [...argv], strict: true, options: { rounds: { type: 'string' }, duration: { type: 'string' }, loops: { type: 'string' }, variant: { type: 'string' } } })
  const rounds = Number(values.rounds ?? 3)
  const durationS = Number(values.duration ?? 20)
  const loops = Number(values.loops ?? 1)
  if (![rounds, durationS, loops].every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--rounds, --duration and --loops take positive integers')
  const variant = values.variant === undefined ? null : Object.fromEntries(values.variant.split(',').map((pair) => keyValue(pair, 'variant')))
  return { rounds, durationS, loops, variant }
}

/** The lowest concurrency limit per service seen in readiness while `during` runs. */
async function lowestLimits<T>(origin: string, during: Promise<T>): Promise<{ result: T; limits: Record<string, number> }> {
  const limits: Record<string, number> = {}
  let done = false
  const sampling = (async () => {
    while (!done) {
      try {
        const { body } = await requestJson(`${origin}/health/ready`)
        const services = isRecord(body) && isRecord(body['downstreams']) && isRecord(body['downstreams']['services']) ? body['downstreams']['services'] : {}
        for (const [name, health] of Object.entries(services)) {
          const limit = isRecord(health) ? health['limit'] : undefined
          if (typeof limit === 'number') limits[name] = Math.min(limits[name] ?? limit, limit)
        }
      } catch {
        // A sample lost under load is only a sample.
      }
      await delay(250)
    }
  })()
  try {
    return { result: await during, limits }
  } finally {
    done = true
    await sampling
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  stopChildrenOnExit('starved-core bench')
  pinSelf()
  const load = externalLoad()
  log(`starved-core bench: BFF and ${options.loops} busy loop(s) on core ${SERVER_CPU}; bench, mocks and ${load.description} on core ${OTHER_CPU}`)
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  const bearerToken = await benchToken(mocks, true)
  const env = bffEnv(mocks.urls, { auth: true, cache: false, bffEnv: {} }, mocks.authUrl)
  const bffs: { label: string; server: ServerProcess }[] = [{ label: 'bff (defaults)', server: await startServerProcess({ name: 'bff', entry: '../../src/server.js', env, cpus: SERVER_CPU }) }]
  if (options.variant !== null) {
    const { NODE_ARGS: nodeFlags, ...extra } = options.variant
    bffs.push({
      label: `bff ${Object.entries(options.variant).map(([k, v]) => `${k}=${v}`).join(',')}`,
      server: await startServerProcess({ name: 'bff-variant', entry: '../../src/server.js', env: { ...env, ...extra }, nodeArgs: nodeFlagsOf(nodeFlags), cpus: SERVER_CPU }),
    })
  }
  // The starving neighbours: busy loops sharing the BFF's core for the whole run.
  for (let i = 0; i < options.loops; i++) {
    spawnChild({ name: `busy-loop-${i}`, command: 'taskset', args: ['-c', SERVER_CPU, process.execPath, '-e', 'for (;;) {}'], env: { PATH: process.env['PATH'] ?? '' } })
  }
  for (const bff of bffs) await load.run({ origin: bff.server.origin, kind: 'bff', connections: CONNECTIONS, durationS: 10, bearerToken })

  const rows: string[][] = [['round', 'BFF', 'req/s', 'CPU ms/req', 'p99 ms', 'non2xx/socket/gql errors', 'overloaded/timeout', 'lowest limit per service']]
  const totals = new Map(bffs.map((bff) => [bff, [0, 0] as [number, number]]))
  for (let round = 1; round <= options.rounds; round++) {
    for (const bff of round % 2 === 1 ? bffs : [...bffs].reverse()) {
      const before = cpuTimeMs(bff.server.child.pid)
      const { result, limits } = await lowestLimits(bff.server.origin, load.run({ origin: bff.server.origin, kind: 'bff', connections: CONNECTIONS, durationS: options.durationS, bearerToken }))
      const cpuMs = (cpuTimeMs(bff.server.child.pid) - before) / result.requests
      const overloaded = result.errorCodes?.['DOWNSTREAM_OVERLOADED'] ?? 0
      const timedOut = result.errorCodes?.['DOWNSTREAM_TIMEOUT'] ?? 0
      const total = totals.get(bff)
      if (total !== undefined) {
        total[0] += result.requests
        total[1] += result.non2xx + result.socketErrors + result.graphqlErrors
      }
      const limitText = Object.entries(limits).map(([name, limit]) => `${name} ${limit}`).join(', ')
      rows.push([String(round), bff.label, fixed(result.reqPerS, 0), fixed(cpuMs, 3), fixed(result.latencyMs.p99, 0), `${result.non2xx}/${result.socketErrors}/${result.graphqlErrors}`, `${overloaded}/${timedOut}`, limitText])
      log(`  round ${round} ${bff.label}: ${fixed(result.reqPerS, 0)} req/s, p99 ${fixed(result.latencyMs.p99, 0)} ms, errors ${result.non2xx + result.socketErrors + result.graphqlErrors} (overloaded ${overloaded}, timeout ${timedOut}); lowest limits ${limitText}`)
    }
  }
  log()
  log(table(rows))
  log()
  for (const [bff, [requests, errors]] of totals) log(`${bff.label}: ${errors} answers with an error in ${requests} (${fixed((errors / requests) * 100, 3)} %)`)
  log(conditions())
}

try {
  await main()
} finally {
  await stopAll()
}
