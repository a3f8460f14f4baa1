/**
 * `npm run bench:auth`: what verifying a real bearer token costs the BFF. Two
 * BFF processes on the same mocks (1 ms), one verifying an admin token from
 * the mocks' identity provider on every request (AUTH_JWKS_URL, the shipped
 * verified-token cache), one with AUTH_DISABLED=true and no token, driven in
 * interleaved rounds (on, off, on, …) by the home benchmark's load generator,
 * so drift in the shared machine's load hits both alike. Reports CPU ms per
 * uncached home query, medians and per-round ratios.
 */
import { parseArgs } from 'node:util'
import { stopAll, stopChildrenOnExit } from '../lib/child-processes.js'
import { CPU_MODE_LATENCIES } from '../lib/critical-path.js'
import { authEnv, benchToken, downstreamEnv, startMocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { median } from '../lib/summary-stats.js'
import { externalLoad } from './load-generator.js'
import { checkBff } from './sanity-check.js'

const signals = stopChildrenOnExit('auth-ab')
const TARGET_RATIO = 1.05

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' } } })
  const rounds = Number(values.rounds ?? 5)
  const durationS = Number(values.duration ?? 10)
  const connections = Number(values.connections ?? 50)
  log('auth on vs off: CPU per uncached home query')
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  const base = { ...downstreamEnv(mocks.urls), LOG_LEVEL: 'warn', GRAPHIQL_ENABLED: 'false', CACHE_ENABLED: 'false', RATE_LIMIT_BURST: '1000000000', RATE_LIMIT_POINTS_PER_SECOND: '1000000000' }
  const token = await benchToken(mocks, true)
  const servers: Record<'on' | 'off', ServerProcess> = {
    on: await startServerProcess({ name: 'bff-auth-on', entry: '../../src/server.js', env: { ...base, ...authEnv(mocks.authUrl) } }),
    off: await startServerProcess({ name: 'bff-auth-off', entry: '../../src/server.js', env: { ...base, ...authEnv(null) } }),
  }
  await checkBff(servers.on.origin, token)
  await checkBff(servers.off.origin)
  const load = externalLoad()
  const tokenOf = (side: 'on' | 'off'): string | undefined => (side === 'on' ? token : undefined)
  log(`load: ${load.description}, ${connections} connections, ${rounds} interleaved rounds × ${durationS} s per side after 5 s warm-up each`)
  for (const side of ['on', 'off'] as const) await load.run({ origin: servers[side].origin, kind: 'bff', connections, durationS: 5, bearerToken: tokenOf(side) })
  const cpu: Record<'on' | 'off', number[]> = { on: [], off: [] }
  const rows: string[][] = [['round', 'on CPU ms/req', 'off CPU ms/req', 'on ÷ off', 'on req/s', 'off req/s', 'errors on/off']]
  for (let round = 1; round <= rounds; round++) {
    const figures: Record<string, { cpu: number; reqPerS: number; errors: number }> = {}
    for (const side of ['on', 'off'] as const) {
      const before = cpuTimeMs(servers[side].child.pid)
      const result = await load.run({ origin: servers[side].origin, kind: 'bff', connections, durationS, bearerToken: tokenOf(side) })
      const perRequest = (cpuTimeMs(servers[side].child.pid) - before) / result.requests
      cpu[side].push(perRequest)
      figures[side] = { cpu: perRequest, reqPerS: result.reqPerS, errors: result.non2xx + result.socketErrors + result.graphqlErrors }
    }
    const on = figures['on']
    const off = figures['off']
    if (on === undefined || off === undefined) continue
    rows.push([String(round), fixed(on.cpu, 3), fixed(off.cpu, 3), fixed(on.cpu / off.cpu, 3), fixed(on.reqPerS, 0), fixed(off.reqPerS, 0), `${on.errors}/${off.errors}`])
  }
  const ratio = median(cpu.on) / median(cpu.off)
  rows.push(['median', fixed(median(cpu.on), 3), fixed(median(cpu.off), 3), fixed(ratio, 3), '', '', ''])
  log()
  log(table(rows))
  log()
  log(`target CPU per uncached home query, auth on ≤ ${TARGET_RATIO}× auth off: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'} (${fixed(ratio, 3)})`)
  log(conditions())
}

try {
  await main()
} catch (error) {
  if (!signals.interrupted) {
    process.stderr.write(`auth-ab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
} finally {
  await stopAll()
}
