/**
 * `npm run bench:edge [-- --rounds n --duration s --connections n]`:
 * what response compression costs the BFF on the home query. One BFF (the
 * shipped defaults, compression on) behind mocks at ~1 ms; the same load is
 * sent asking for no encoding, gzip and br, in interleaved rounds so the
 * shared machine's drift hits each alike, and the BFF process's CPU per
 * answered request is compared. Load comes from autocannon in this process
 * (it alone sends the Accept-Encoding header); its own CPU is not counted.
 */
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { runAutocannon } from '../lib/autocannon-load.js'
import { stopAll, stopChildrenOnExit } from '../lib/child-processes.js'
import { CPU_MODE_LATENCIES } from '../lib/critical-path.js'
import { homeRequestBody } from '../lib/home-query.js'
import { startMocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { bffEnv } from '../lib/server-env.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { median } from '../lib/summary-stats.js'

const VARIANTS = [
  { label: 'identity', headers: {} },
  { label: 'gzip', headers: { 'accept-encoding': 'gzip' } },
  { label: 'br', headers: { 'accept-encoding': 'br' } },
] as const

interface Round {
  readonly reqPerS: number
  readonly cpuMsPerRequest: number
  readonly failures: number
}

async function bytesOnTheWire(server: ServerProcess, headers: Readonly<Record<string, string>>): Promise<{ bytes: number; encoding: string }> {
  const response = await request(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: homeRequestBody('1'),
  })
  const body = Buffer.from(await response.body.arrayBuffer())
  return { bytes: body.length, encoding: String(response.headers['content-encoding'] ?? 'identity') }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' } } })
  const rounds = Number(values.rounds ?? 3)
  const durationS = Number(values.duration ?? 8)
  const connections = Number(values.connections ?? 50)
  log('edge benchmark: response compression on the home query')
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  const env = bffEnv(mocks.urls, { cache: false, auth: false, bffEnv: {} }, mocks.authUrl)
  const server = await startServerProcess({ name: 'bff', entry: '../../src/server.js', env })
  for (const variant of VARIANTS) {
    const wire = await bytesOnTheWire(server, variant.headers)
    log(`${variant.label}: ${wire.bytes} bytes per home answer (user 1, content-encoding ${wire.encoding})`)
  }
  log(`load: autocannon in the bench process, ${connections} connections; warm-up 5 s per variant; ${rounds} rounds × ${durationS} s per variant, interleaved`)
  for (const variant of VARIANTS) await runAutocannon({ origin: server.origin, kind: 'bff', connections, durationS: 5, headers: variant.headers })
  const results = new Map<string, Round[]>(VARIANTS.map((variant) => [variant.label, []]))
  for (let round = 0; round < rounds; round++) {
    for (const variant of VARIANTS) {
      const before = cpuTimeMs(server.child.pid)
      const result = await runAutocannon({ origin: server.origin, kind: 'bff', connections, durationS, headers: variant.headers })
      const cpu = cpuTimeMs(server.child.pid) - before
      results.get(variant.label)?.push({
        reqPerS: result.reqPerS,
        cpuMsPerRequest: cpu / result.requests,
        failures: result.non2xx + result.socketErrors + result.graphqlErrors,
      })
    }
  }
  const identity = median((results.get('identity') ?? []).map((r) => r.cpuMsPerRequest))
  const rows = VARIANTS.map((variant) => {
    const list = results.get(variant.label) ?? []
    const cpu = median(list.map((r) => r.cpuMsPerRequest))
    return [
      variant.label,
      fixed(median(list.map((r) => r.reqPerS)), 0),
      fixed(cpu, 3),
      fixed((cpu / identity - 1) * 100, 1),
      String(list.reduce((sum, r) => sum + r.failures, 0)),
    ]
  })
  log(table([['encoding', 'req/s', 'BFF CPU ms/req', 'vs identity %', 'failures'], ...rows]))
  log(conditions())
}

stopChildrenOnExit('compression-bench')
try {
  await main()
} finally {
  await stopAll()
}
