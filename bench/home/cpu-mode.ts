import type { BenchOptions } from '../lib/bench-options.js'
import { HOME_SERVICES, type Latencies } from '../lib/critical-path.js'
import { externalLoad, type ExternalLoad } from './load-generator.js'
import type { TargetKind } from '../lib/load-result.js'
import { callsBetween, readSettledStats, totalCalls } from '../lib/mock-stats.js'
import { benchToken, startMocksProcess, type MocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { checkBaselineMatchesBff } from './sanity-check.js'
import { bffEnv, describeBffEnv, profileArgs } from '../lib/server-env.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { median } from '../lib/summary-stats.js'

/** The issue's target: at least 0.8× the hand-written baseline's throughput. */
const TARGET_THROUGHPUT_RATIO = 0.8

/** ~1 ms everywhere: downstream waits stop mattering and the servers' own CPU decides throughput. */
const CPU_MODE_LATENCIES: Latencies = Object.fromEntries(HOME_SERVICES.map((name) => [name, 1])) as Record<
  (typeof HOME_SERVICES)[number],
  number
>

interface Round {
  readonly reqPerS: number
  /** Server CPU (user + system, all threads) per answered request. */
  readonly cpuMsPerRequest: number
  readonly serverCpuPercent: number
  readonly mocksCpuPercent: number
  readonly callsPerRequest: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** non-2xx / socket errors and timeouts / 200s with GraphQL errors. */
  readonly failures: readonly [non2xx: number, socket: number, graphql: number]
}

async function measure(
  run: ExternalLoad,
  kind: TargetKind,
  server: ServerProcess,
  mocks: MocksProcess,
  options: BenchOptions,
  bearerToken: string | undefined,
): Promise<Round> {
  const before = await readSettledStats(mocks.urls)
  const cpuBefore = { server: cpuTimeMs(server.child.pid), mocks: cpuTimeMs(mocks.child.pid) }
  const result = await run({ origin: server.origin, kind, connections: options.connections, durationS: options.durationS, bearerToken })
  const cpuAfter = { server: cpuTimeMs(server.child.pid), mocks: cpuTimeMs(mocks.child.pid) }
  const after = await readSettledStats(mocks.urls)
  const wallMs = result.durationS * 1_000
  return {
    reqPerS: result.reqPerS,
    cpuMsPerRequest: (cpuAfter.server - cpuBefore.server) / result.requests,
    serverCpuPercent: ((cpuAfter.server - cpuBefore.server) / wallMs) * 100,
    mocksCpuPercent: ((cpuAfter.mocks - cpuBefore.mocks) / wallMs) * 100,
    callsPerRequest: totalCalls(callsBetween(before, after)) / result.requests,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    failures: [result.non2xx, result.socketErrors, result.graphqlErrors],
  }
}

function roundRow(label: string, r: Round): string[] {
  return [
    label,
    fixed(r.reqPerS, 0),
    fixed(r.cpuMsPerRequest, 3),
    fixed(r.serverCpuPercent, 0),
    fixed(r.mocksCpuPercent, 0),
    fixed(r.callsPerRequest, 2),
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    r.failures.join('/'),
  ]
}

/** Medians of every figure; failures are summed, since any failure matters. */
function medianRound(rounds: readonly Round[]): Round {
  const mid = (pick: (r: Round) => number): number => median(rounds.map(pick))
  const sum = (i: 0 | 1 | 2): number => rounds.reduce((total, r) => total + r.failures[i], 0)
  return {
    reqPerS: mid((r) => r.reqPerS),
    cpuMsPerRequest: mid((r) => r.cpuMsPerRequest),
    serverCpuPercent: mid((r) => r.serverCpuPercent),
    mocksCpuPercent: mid((r) => r.mocksCpuPercent),
    callsPerRequest: mid((r) => r.callsPerRequest),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    failures: [sum(0), sum(1), sum(2)],
  }
}

/**
 * CPU-bound mode: mocks at ~1 ms, load from a separate process, the BFF and
 * the hand-written baseline measured in interleaved rounds (BFF, baseline,
 * BFF, …) so drift in the shared machine's load hits both alike. Reports
 * medians and BFF ÷ baseline ratios, since absolute numbers vary ±30 % here.
 */
export async function runCpuMode(options: BenchOptions): Promise<void> {
  const load = externalLoad()
  log('home-query benchmark: cpu mode')
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  log(`mock latencies (ms, as each mock reports it): ${HOME_SERVICES.map((s) => `${s} ${JSON.stringify(mocks.latencies[s])}`).join(', ')}`)
  const env = bffEnv(mocks.urls, options, mocks.authUrl)
  const bearerToken = await benchToken(mocks, options.auth)
  log(describeBffEnv(options))
  const servers: Readonly<Record<TargetKind, ServerProcess>> = {
    bff: await startServerProcess({ name: 'bff', entry: '../../src/server.js', env, nodeArgs: profileArgs(options.profileDir, 'bff-cpu') }),
    baseline: await startServerProcess({
      name: 'baseline',
      entry: '../home/baseline-server.js',
      env,
      nodeArgs: profileArgs(options.profileDir, 'baseline-cpu'),
    }),
  }
  await checkBaselineMatchesBff(servers.bff.origin, servers.baseline.origin, bearerToken)
  log('baseline answers match the BFF data.home for the sample users')

  log(`load: ${load.description}, ${options.connections} connections; warm-up ${options.warmupS} s per server; ${options.rounds} rounds × ${options.durationS} s per server`)
  for (const kind of ['bff', 'baseline'] as const) {
    await load.run({ origin: servers[kind].origin, kind, connections: options.connections, durationS: options.warmupS, bearerToken })
  }

  const rounds: Record<TargetKind, Round[]> = { bff: [], baseline: [] }
  const header = ['', 'req/s', 'CPU ms/req', 'server CPU %', 'mocks CPU %', 'calls/req', 'p50 ms', 'p99 ms', 'non2xx/socket/gql errors']
  const rows: string[][] = [header]
  for (let i = 1; i <= options.rounds; i++) {
    for (const kind of ['bff', 'baseline'] as const) {
      const round = await measure(load.run, kind, servers[kind], mocks, options, bearerToken)
      rounds[kind].push(round)
      rows.push(roundRow(`round ${i} ${kind}`, round))
      log(`  round ${i} ${kind.padEnd(8)} ${fixed(round.reqPerS, 0)} req/s, ${fixed(round.cpuMsPerRequest, 3)} CPU ms/req`)
    }
  }
  const bff = medianRound(rounds.bff)
  const baseline = medianRound(rounds.baseline)
  rows.push(roundRow('median bff', bff), roundRow('median baseline', baseline))

  const throughputRatio = bff.reqPerS / baseline.reqPerS
  const cpuRatio = bff.cpuMsPerRequest / baseline.cpuMsPerRequest
  // Adjacent runs share the machine's momentary load; their ratios show the spread.
  const paired = rounds.bff.map((r, i) => r.reqPerS / (rounds.baseline[i]?.reqPerS ?? Number.NaN))
  log()
  log(table(rows))
  log()
  log(
    table([
      ['throughput BFF ÷ baseline (medians)', fixed(throughputRatio, 3)],
      ['  per round', paired.map((p) => fixed(p, 2)).join(' ')],
      ['CPU ms/request BFF ÷ baseline (medians)', fixed(cpuRatio, 3)],
      // On a box where other work steals cores, CPU per request is steadier than req/s.
      ['throughput implied by CPU/request (1 ÷ above)', fixed(1 / cpuRatio, 3)],
    ]),
  )
  log()
  log(`target throughput ≥ ${TARGET_THROUGHPUT_RATIO}× baseline: ${throughputRatio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'MISSED'}`)
  log(conditions())
}
