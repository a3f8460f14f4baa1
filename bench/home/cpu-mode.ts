import type { BenchOptions } from '../lib/bench-options.js'
import { CPU_MODE_LATENCIES, HOME_SERVICES } from '../lib/critical-path.js'
import { OTHER_CPU, pinSelf, SERVER_CPU } from '../lib/pinning.js'
import { externalLoad, type ExternalLoad } from './load-generator.js'
import type { TargetKind } from '../lib/load-result.js'
import { callsBetween, readSettledStats, totalCalls } from '../lib/mock-stats.js'
import { benchToken, startMocksProcess, type MocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { checkBaselineMatchesBff } from './sanity-check.js'
import { bffEnv, describeBffEnv, nodeFlagsOf, profileArgs } from '../lib/server-env.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { median } from '../lib/summary-stats.js'

/** The issue's target: at least 0.8× the hand-written baseline's throughput. */
const TARGET_THROUGHPUT_RATIO = 0.8

interface Round {
  readonly reqPerS: number
  /** Server CPU (user + system, all threads) per answered request. */
  readonly cpuMsPerRequest: number
  readonly serverCpuPercent: number
  readonly mocksCpuPercent: number
  readonly callsPerRequest: number
  /** Share of answers served from kept answers (response cache); NaN for a server without them. */
  readonly keptShare: number
  /** Downstream calls per answered request, by service. */
  readonly callsByService: Readonly<Record<string, number>>
  readonly p50Ms: number
  readonly p99Ms: number
  /** non-2xx / socket errors and timeouts / 200s with GraphQL errors. */
  readonly failures: readonly [non2xx: number, socket: number, graphql: number]
  /** Answers holding DOWNSTREAM_OVERLOADED / DOWNSTREAM_TIMEOUT, when the generator reads bodies. */
  readonly codes: readonly [overloaded: number, timedOut: number]
}

/** Kept-answer hits so far, from the BFF's readiness; null for a server without them (the baseline, or kept answers off). */
async function keptHits(origin: string): Promise<number | null> {
  try {
    const response = await fetch(`${origin}/health/ready`)
    const body = (await response.json()) as { cache?: { responses?: { hits?: unknown } } }
    const hits = body.cache?.responses?.hits
    return typeof hits === 'number' ? hits : null
  } catch {
    return null
  }
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
  const keptBefore = await keptHits(server.origin)
  const cpuBefore = { server: cpuTimeMs(server.child.pid), mocks: cpuTimeMs(mocks.child.pid) }
  const result = await run({ origin: server.origin, kind, connections: options.connections, durationS: options.durationS, bearerToken })
  const cpuAfter = { server: cpuTimeMs(server.child.pid), mocks: cpuTimeMs(mocks.child.pid) }
  const after = await readSettledStats(mocks.urls)
  const keptAfter = await keptHits(server.origin)
  const wallMs = result.durationS * 1_000
  return {
    reqPerS: result.reqPerS,
    cpuMsPerRequest: (cpuAfter.server - cpuBefore.server) / result.requests,
    serverCpuPercent: ((cpuAfter.server - cpuBefore.server) / wallMs) * 100,
    mocksCpuPercent: ((cpuAfter.mocks - cpuBefore.mocks) / wallMs) * 100,
    callsPerRequest: totalCalls(callsBetween(before, after)) / result.requests,
    keptShare: keptBefore === null || keptAfter === null ? Number.NaN : (keptAfter - keptBefore) / result.requests,
    callsByService: Object.fromEntries(Object.entries(callsBetween(before, after)).map(([service, calls]) => [service, calls / result.requests])),
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    failures: [result.non2xx, result.socketErrors, result.graphqlErrors],
    codes: [result.errorCodes?.['DOWNSTREAM_OVERLOADED'] ?? 0, result.errorCodes?.['DOWNSTREAM_TIMEOUT'] ?? 0],
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
    Number.isNaN(r.keptShare) ? '-' : fixed(r.keptShare, 2),
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    r.failures.join('/'),
    r.codes.join('/'),
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
    keptShare: mid((r) => r.keptShare),
    callsByService: Object.fromEntries(Object.keys(rounds[0]?.callsByService ?? {}).map((service) => [service, mid((r) => r.callsByService[service] ?? 0)])),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    failures: [sum(0), sum(1), sum(2)],
    codes: [rounds.reduce((t, r) => t + r.codes[0], 0), rounds.reduce((t, r) => t + r.codes[1], 0)],
  }
}

interface Target {
  readonly label: string
  readonly kind: TargetKind
  readonly server: ServerProcess
  /** Its cache is on: it is warmed up for longer, until the working set is in. */
  readonly cached?: boolean
}

/**
 * Warm-up of a server whose cache is on, as a multiple of --warmup: a cold
 * cache serves slowly, so a short warm-up sees each user of the working set
 * about once and the first measured round still pays for filling it
 * (docs/benchmarks.md, "Performance with everything on").
 */
const CACHED_WARMUP_FACTOR = 4

/** Seconds of unmeasured load on a server right before each of its measured rounds. */
const REWARM_S = 2

/** The BFFs under test: uncached always; in --pin mode also warm-cache, embedded and (with REDIS_URL) Redis + L1 and embedded with the event log on Redis. */
async function startBffs(options: BenchOptions, mocks: MocksProcess, cpus: string | undefined): Promise<Target[]> {
  const variants: { label: string; cache: boolean; extra: Readonly<Record<string, string>> }[] = [{ label: options.cache ? 'bff (cache on)' : 'bff', cache: options.cache, extra: {} }]
  for (const extra of options.variants) {
    variants.push({ label: `bff ${Object.entries(extra).map(([key, value]) => `${key}=${value}`).join(',')}`, cache: options.cache, extra })
  }
  if (options.pin && options.variants.length === 0) {
    if (!options.cache) variants.push({ label: 'bff warm (embedded)', cache: true, extra: {} })
    const redisUrl = process.env['REDIS_URL']
    if (redisUrl !== undefined && redisUrl !== '') {
      variants.push({ label: 'bff warm (Redis + L1)', cache: true, extra: { REDIS_URL: redisUrl } })
      // The embedded store where the services' events reach it, as in `npm start`; its mocks run apart here.
      variants.push({ label: 'bff warm (embedded, log on Redis)', cache: true, extra: { REDIS_URL: redisUrl, CACHE_STORE: 'memory' } })
    }
  }
  const targets: Target[] = []
  for (const [i, variant] of variants.entries()) {
    // NODE_ARGS is the bench's own key: node flags for this server (space-separated), not its environment.
    const { NODE_ARGS: nodeFlags, ...extra } = variant.extra
    const env = { ...bffEnv(mocks.urls, { ...options, cache: variant.cache }, mocks.authUrl), ...extra }
    // The variant's own settings over --env's, as the server gets them (REDIS_URL only named).
    const { REDIS_URL: variantRedisUrl, ...shown } = { ...options.bffEnv, ...extra }
    log(`${variant.label}: ${describeBffEnv({ ...options, cache: variant.cache, bffEnv: shown })}${variantRedisUrl === undefined ? '' : ', REDIS_URL set'}${nodeFlags === undefined ? '' : `, node ${nodeFlags}`}`)
    const nodeArgs = [...nodeFlagsOf(nodeFlags), ...profileArgs(options.profileDir, `bff-${i}-cpu`)]
    const server = await startServerProcess({ name: `bff-${i}`, entry: '../../src/server.js', env, nodeArgs, cpus })
    targets.push({ label: variant.label, kind: 'bff', server, cached: variant.cache })
  }
  return targets
}

/**
 * CPU-bound mode: mocks at ~1 ms, load from a separate process, the BFF and
 * the hand-written baseline measured in interleaved rounds (BFF, baseline,
 * BFF, …) so drift in the shared machine's load hits both alike. Reports
 * medians and BFF ÷ baseline ratios, since absolute numbers vary ±30 % here.
 */
export async function runCpuMode(options: BenchOptions): Promise<void> {
  const cpus = options.pin ? SERVER_CPU : undefined
  if (options.pin) pinSelf()
  const load = externalLoad()
  log(`home-query benchmark: cpu mode${options.pin ? ` (pinned: servers under test on core ${SERVER_CPU}; bench, mocks and load on core ${OTHER_CPU})` : ''}`)
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  log(`mock latencies (ms, as each mock reports it): ${HOME_SERVICES.map((s) => `${s} ${JSON.stringify(mocks.latencies[s])}`).join(', ')}`)
  const bearerToken = await benchToken(mocks, options.auth)
  const bffs = await startBffs(options, mocks, cpus)
  const baseline: Target = {
    label: 'baseline',
    kind: 'baseline',
    server: await startServerProcess({
      name: 'baseline',
      entry: '../home/baseline-server.js',
      env: bffEnv(mocks.urls, options, mocks.authUrl),
      nodeArgs: profileArgs(options.profileDir, 'baseline-cpu'),
      cpus,
    }),
  }
  const floorOf = bffs[0]
  const floor: Target | null = options.floor && floorOf !== undefined ? { label: `${floorOf.label}: { __typename }`, kind: 'floor', server: floorOf.server } : null
  const targets = [...bffs, ...(floor === null ? [] : [floor]), baseline]
  for (const bff of bffs) await checkBaselineMatchesBff(bff.server.origin, baseline.server.origin, bearerToken)
  log('baseline answers match the BFF data.home for the sample users')

  log(
    `load: ${load.description}, ${options.connections} connections; warm-up ${options.warmupS} s per server (${options.warmupS * CACHED_WARMUP_FACTOR} s with the cache on); ${options.rounds} rounds × ${options.durationS} s per server, each after ${REWARM_S} s unmeasured`,
  )
  for (const target of targets) {
    const durationS = target.cached === true ? options.warmupS * CACHED_WARMUP_FACTOR : options.warmupS
    await load.run({ origin: target.server.origin, kind: target.kind, connections: options.connections, durationS, bearerToken })
  }

  const rounds = new Map<Target, Round[]>(targets.map((t) => [t, []]))
  const header = ['', 'req/s', 'CPU ms/req', 'server CPU %', 'mocks CPU %', 'calls/req', 'kept share', 'p50 ms', 'p99 ms', 'non2xx/socket/gql errors', 'of which overloaded/timeout']
  const rows: string[][] = [header]
  for (let i = 1; i <= options.rounds; i++) {
    // Each round starts one server later: an A/A pair measured in a fixed order found the first
    // slot dearer than the later ones, a bias a fixed order puts on one server only.
    const start = (i - 1) % targets.length
    for (const target of [...targets.slice(start), ...targets.slice(0, start)]) {
      // A server idle while the others ran starts its next load slower for a few seconds (and the
      // longer the idle, the slower): unmeasured load first, so each round measures the steady state.
      await load.run({ origin: target.server.origin, kind: target.kind, connections: options.connections, durationS: REWARM_S, bearerToken })
      const round = await measure(load.run, target.kind, target.server, mocks, options, bearerToken)
      rounds.get(target)?.push(round)
      rows.push(roundRow(`round ${i} ${target.label}`, round))
      log(`  round ${i} ${target.label.padEnd(22)} ${fixed(round.reqPerS, 0)} req/s, ${fixed(round.cpuMsPerRequest, 3)} CPU ms/req  (${conditions().split('  ').at(-1) ?? ''})`)
    }
  }
  const medians = new Map(targets.map((t) => [t, medianRound(rounds.get(t) ?? [])]))
  for (const target of targets) rows.push(roundRow(`median ${target.label}`, medians.get(target) as Round))
  log()
  log(table(rows))
  log()
  const base = medians.get(baseline) as Round
  const baseRounds = rounds.get(baseline) ?? []
  const summary: string[][] = []
  for (const bff of bffs) {
    const m = medians.get(bff) as Round
    // Adjacent runs share the machine's momentary load; their ratios show the spread.
    const paired = (rounds.get(bff) ?? []).map((r, i) => r.reqPerS / (baseRounds[i]?.reqPerS ?? Number.NaN))
    const pairedCpu = (rounds.get(bff) ?? []).map((r, i) => r.cpuMsPerRequest / (baseRounds[i]?.cpuMsPerRequest ?? Number.NaN))
    summary.push(
      [`${bff.label}: throughput ÷ baseline (medians)`, fixed(m.reqPerS / base.reqPerS, 3)],
      ['  per round', paired.map((p) => fixed(p, 2)).join(' ')],
      [`${bff.label}: CPU ms/request ÷ baseline (medians)`, fixed(m.cpuMsPerRequest / base.cpuMsPerRequest, 3)],
      ['  per round', pairedCpu.map((p) => fixed(p, 2)).join(' ')],
      [`${bff.label}: CPU ms/request, downstream calls/request`, `${fixed(m.cpuMsPerRequest, 3)}, ${fixed(m.callsPerRequest, 3)}`],
      [
        '  calls/request by service (medians)',
        Object.entries(m.callsByService)
          .filter(([, calls]) => calls > 0)
          .map(([service, calls]) => `${service} ${fixed(calls, 3)}`)
          .join(', '),
      ],
    )
  }
  const firstRounds = rounds.get(bffs[0] as Target) ?? []
  for (const bff of bffs.slice(1)) {
    // The same rounds, side by side: a what-if's own cost, without the baseline's noise in between.
    const pairedCpu = (rounds.get(bff) ?? []).map((r, i) => r.cpuMsPerRequest / (firstRounds[i]?.cpuMsPerRequest ?? Number.NaN))
    summary.push(
      [`${bff.label}: CPU ms/request ÷ ${bffs[0]?.label ?? 'bff'} (median of rounds)`, fixed(median(pairedCpu), 3)],
      ['  per round', pairedCpu.map((p) => fixed(p, 2)).join(' ')],
    )
  }
  if (floor !== null) {
    const floorRounds = rounds.get(floor) ?? []
    summary.push([`${floor.label}: CPU ms/request (median)`, fixed(medians.get(floor)?.cpuMsPerRequest ?? Number.NaN, 3)])
    for (const bff of bffs) {
      // Of each query's CPU, the share a request costs before any field is resolved.
      const share = (rounds.get(bff) ?? []).map((r, i) => (floorRounds[i]?.cpuMsPerRequest ?? Number.NaN) / r.cpuMsPerRequest)
      summary.push([`  ÷ ${bff.label} (median of rounds)`, fixed(median(share), 3)], ['  per round', share.map((p) => fixed(p, 2)).join(' ')])
    }
  }
  log(table(summary))
  log()
  const first = medians.get(bffs[0] as Target) as Round
  const throughputRatio = first.reqPerS / base.reqPerS
  log(`target throughput ≥ ${TARGET_THROUGHPUT_RATIO}× baseline (${bffs[0]?.label ?? 'bff'}): ${throughputRatio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'MISSED'}`)
  log(conditions())
}
