import { SERVICE_NAMES } from '../../src/config/services.js'
import { runAutocannon } from '../lib/autocannon-load.js'
import type { BenchOptions } from '../lib/bench-options.js'
import { homeCriticalPath, HOME_SERVICES, LATENCY_MODE_LATENCIES } from '../lib/critical-path.js'
import { callsBetween, readSettledStats, totalCalls } from '../lib/mock-stats.js'
import { benchToken, startMocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { USER_COUNT } from '../lib/home-query.js'
import { checkBaselineMatchesBff, checkBff } from './sanity-check.js'
import { bffEnv, describeBffEnv, profileArgs } from '../lib/server-env.js'
import { startServerProcess } from '../lib/server-process.js'

/** The issue's target: p50 within 15 % of the critical path at 50 connections on 2 cores. */
const TARGET_RATIO = 1.15
/** And within 2 % of the hand-written baseline's own p50 ÷ critical path, idle and at 50 connections. */
const TARGET_VS_BASELINE = 1.02

/**
 * Latency mode: downstream latency dominates, so the question is whether the
 * BFF overlaps its calls. autocannon runs in this process: at a few hundred
 * requests per second it costs little, and its histogram is what we report.
 */
export async function runLatencyMode(options: BenchOptions): Promise<void> {
  const latencies = LATENCY_MODE_LATENCIES
  const critical = homeCriticalPath(latencies)
  log('home-query benchmark: latency mode')
  log(conditions())

  const mocks = await startMocksProcess(latencies)
  log(`mock latencies (ms, as each mock reports it): ${HOME_SERVICES.map((s) => `${s} ${JSON.stringify(mocks.latencies[s])}`).join(', ')}`)
  log(`critical path: ${critical.ms} ms = ${critical.chain}`)
  log(describeBffEnv(options))
  const bff = await startServerProcess({
    name: 'bff',
    entry: '../../src/server.js',
    env: bffEnv(mocks.urls, options, mocks.authUrl),
    nodeArgs: profileArgs(options.profileDir, 'bff-latency'),
  })
  const baseline = await startServerProcess({ name: 'baseline', entry: '../home/baseline-server.js', env: bffEnv(mocks.urls, options, mocks.authUrl) })
  const bearerToken = await benchToken(mocks, options.auth)
  await checkBff(bff.origin, bearerToken)
  await checkBaselineMatchesBff(bff.origin, baseline.origin, bearerToken)

  log(`warm-up ${options.warmupS} s, then ${options.durationS} s measured, ${options.connections} connections, users 1..2000 scattered`)
  const load = { origin: bff.origin, kind: 'bff' as const, connections: options.connections, bearerToken }
  await runAutocannon({ ...load, durationS: options.warmupS })
  // One connection: no queueing anywhere, so this p50 is the fan-out's own latency. Far above
  // the critical path means legs run in series; close to it while the 50-connection p50 is not
  // means the BFF runs out of CPU under load.
  const single = await runAutocannon({ ...load, connections: 1, durationS: 5 })
  // The hand-written baseline (bench/home/baseline-server.ts) in the same run, idle and at the same
  // connections: what a hand-written fan-out's p50 is on this machine now, next to ours.
  const baselineLoad = { ...load, origin: baseline.origin, kind: 'baseline' as const }
  await runAutocannon({ ...baselineLoad, durationS: options.warmupS })
  const baselineSingle = await runAutocannon({ ...baselineLoad, connections: 1, durationS: 5 })
  const baselineLoaded = await runAutocannon({ ...baselineLoad, durationS: options.durationS })

  const before = await readSettledStats(mocks.urls)
  const cpuBefore = { bff: cpuTimeMs(bff.child.pid), mocks: cpuTimeMs(mocks.child.pid), bench: cpuTimeMs(process.pid) }
  const result = await runAutocannon({ ...load, durationS: options.durationS })
  const cpuAfter = { bff: cpuTimeMs(bff.child.pid), mocks: cpuTimeMs(mocks.child.pid), bench: cpuTimeMs(process.pid) }
  const after = await readSettledStats(mocks.urls)

  // Queries cut off when the run ends made some calls but are not counted as completed, which
  // biases the figure above up by at most connections ÷ completed. One bounded pass over every
  // user (autocannon waits for all answers) gives the exact count.
  const exactBefore = await readSettledStats(mocks.urls)
  const exact = await runAutocannon({ ...load, connections: 10, durationS: 60, amount: USER_COUNT })
  const exactCalls = totalCalls(callsBetween(exactBefore, await readSettledStats(mocks.urls))) / exact.requests

  const calls = callsBetween(before, after)
  const perQuery = (n: number): string => fixed(n / result.requests, 2)
  const ratio = result.latencyMs.p50 / critical.ms
  const wallMs = result.durationS * 1_000
  log()
  log(
    table([
      ['requests/s', fixed(result.reqPerS)],
      ['queries completed', String(result.requests)],
      ['latency p50', `${fixed(result.latencyMs.p50)} ms`],
      ['latency p97.5', `${fixed(result.latencyMs.p97_5)} ms`],
      ['latency p99', `${fixed(result.latencyMs.p99)} ms`],
      ['non-2xx', String(result.non2xx)],
      ['socket errors/timeouts', String(result.socketErrors)],
      ['200s with GraphQL errors', `${result.graphqlErrors} ${JSON.stringify(result.errorCodes ?? {})}`],
      ['downstream calls/query (run ÷ completed)', perQuery(totalCalls(calls))],
      ...SERVICE_NAMES.filter((s) => calls[s] > 0).map((s) => [`  ${s}`, perQuery(calls[s])]),
      [`downstream calls/query (exact, ${exact.requests} users)`, fixed(exactCalls, 3)],
      ['BFF CPU', `${fixed(((cpuAfter.bff - cpuBefore.bff) / wallMs) * 100, 0)} % of a core`],
      ['mocks CPU', `${fixed(((cpuAfter.mocks - cpuBefore.mocks) / wallMs) * 100, 0)} % of a core`],
      ['autocannon (bench process) CPU', `${fixed(((cpuAfter.bench - cpuBefore.bench) / wallMs) * 100, 0)} % of a core`],
      ['BFF CPU ms/query', fixed((cpuAfter.bff - cpuBefore.bff) / result.requests, 3)],
      ['p50 at 1 connection (reference)', `${fixed(single.latencyMs.p50)} ms`],
      ['p50 ÷ critical path', `${fixed(ratio, 3)}  (${fixed(result.latencyMs.p50)} / ${critical.ms} ms)`],
    ]),
  )
  const vs = (bffP50: number, baselineP50: number): string =>
    `${fixed(bffP50 / critical.ms, 3)} vs ${fixed(baselineP50 / critical.ms, 3)} (bff ÷ baseline ${fixed(bffP50 / baselineP50, 3)})`
  const idleVs = single.latencyMs.p50 / baselineSingle.latencyMs.p50
  const loadedVs = result.latencyMs.p50 / baselineLoaded.latencyMs.p50
  log()
  log(
    table([
      ['p50 ÷ critical path, bff vs baseline', ''],
      ['  idle (1 connection)', vs(single.latencyMs.p50, baselineSingle.latencyMs.p50)],
      [`  ${options.connections} connections`, vs(result.latencyMs.p50, baselineLoaded.latencyMs.p50)],
      ['baseline at load: req/s, p99', `${fixed(baselineLoaded.reqPerS)}, ${fixed(baselineLoaded.latencyMs.p99)} ms`],
    ]),
  )
  log()
  log(`target p50 ÷ critical path ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`)
  log(`target p50 ÷ critical path within ${fixed((TARGET_VS_BASELINE - 1) * 100, 0)} % of the baseline's, idle and loaded: ${idleVs <= TARGET_VS_BASELINE && loadedVs <= TARGET_VS_BASELINE ? 'met' : 'MISSED'}`)
  log(conditions())
}
