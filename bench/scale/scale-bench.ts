/**
 * `npm run bench:scale`: home-query throughput through HAProxy with 1 and 2
 * BFF instances (scripts/scaled/topology.ts, the start:scaled topology), the
 * entity cache off and on (Redis), same machine, same load generator. On two
 * shared cores the balancer, mocks, Redis and load generator take their share
 * too, so besides the ratio it reports each process's CPU and the requests
 * per BFF CPU-second, which should stay flat as instances are added; from
 * those, a capacity model (req/s per core, instances for a given load).
 *
 *   --duration S     measured seconds per round (default 15)
 *   --rounds N       rounds per configuration, the median reported (default 2)
 *   --connections N  load generator connections (default 64)
 */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { startTopology, type Topology } from '../../scripts/scaled/topology.js'
import { stopChildrenOnExit } from '../lib/child-processes.js'
import { externalLoad } from '../home/load-generator.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { median } from '../lib/summary-stats.js'

const { values } = parseArgs({ options: { duration: { type: 'string', default: '15' }, rounds: { type: 'string', default: '2' }, connections: { type: 'string', default: '64' } } })
const DURATION_S = Number(values.duration)
const ROUNDS = Number(values.rounds)
const CONNECTIONS = Number(values.connections)
/** ~1 ms downstream everywhere: the BFFs' CPU, not downstream waits, sets the throughput (as bench:cpu). */
const MOCK_ARGS = ['--latency', '1']
/** Instances run near this CPU share in the capacity model, leaving room for bursts and a lost instance. */
const TARGET_UTILISATION = 0.7

interface Round {
  readonly reqPerS: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly failures: number
  /** Cores used over the round, per process group. */
  readonly cores: Readonly<Record<'bff' | 'haproxy' | 'mocks' | 'redis' | 'machine', number>>
  /** Requests answered per CPU-second of all BFF processes together. */
  readonly perBffCpuSecond: number
}

/** Busy and total jiffies of the whole machine (/proc/stat, first line). */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((sum, value) => sum + value, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}

function cpuByGroup(topology: Topology): Record<'bff' | 'haproxy' | 'mocks' | 'redis', number> {
  const groups = { bff: 0, haproxy: 0, mocks: 0, redis: 0 }
  for (const { name, pid } of topology.processes()) {
    const group = name.startsWith('bff') ? 'bff' : name === 'haproxy' ? 'haproxy' : name === 'mocks' ? 'mocks' : 'redis'
    groups[group] += cpuTimeMs(pid)
  }
  return groups
}

async function measure(topology: Topology, durationS: number): Promise<Round> {
  const before = { groups: cpuByGroup(topology), machine: machineTicks(), at: Date.now() }
  const result = await externalLoad().run({ origin: topology.url, kind: 'bff', connections: CONNECTIONS, durationS })
  const after = { groups: cpuByGroup(topology), machine: machineTicks(), at: Date.now() }
  const wallS = (after.at - before.at) / 1_000
  const cores = (group: 'bff' | 'haproxy' | 'mocks' | 'redis'): number => (after.groups[group] - before.groups[group]) / 1_000 / wallS
  const machineShare = (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)
  return {
    reqPerS: result.reqPerS,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    failures: result.non2xx + result.socketErrors + result.graphqlErrors,
    cores: { bff: cores('bff'), haproxy: cores('haproxy'), mocks: cores('mocks'), redis: cores('redis'), machine: machineShare * cpus().length },
    perBffCpuSecond: result.requests / ((after.groups.bff - before.groups.bff) / 1_000),
  }
}

async function configuration(cache: boolean, instances: number): Promise<Round> {
  const topology = await startTopology({
    instances,
    bind: '127.0.0.1:0',
    redisUrl: null,
    eventsIntervalMs: 0,
    mocksArgs: MOCK_ARGS,
    // As bench:cpu (bench/server-env.ts): quiet logs, the bulkhead as wide as the pool.
    bffEnv: { LOG_LEVEL: 'warn', GRAPHIQL_ENABLED: 'false', DOWNSTREAM_BULKHEAD_CONCURRENCY: '64', RATE_LIMIT_ENABLED: 'false', ...(cache ? {} : { CACHE_ENABLED: 'false' }) },
  })
  try {
    // Unmeasured: JIT warm-up, and with the cache on, a pass that fills it.
    await measure(topology, 5)
    const rounds: Round[] = []
    for (let round = 0; round < ROUNDS; round += 1) rounds.push(await measure(topology, DURATION_S))
    const mid = (pick: (r: Round) => number): number => median(rounds.map(pick))
    return {
      reqPerS: mid((r) => r.reqPerS),
      p50Ms: mid((r) => r.p50Ms),
      p99Ms: mid((r) => r.p99Ms),
      failures: rounds.reduce((sum, r) => sum + r.failures, 0),
      cores: { bff: mid((r) => r.cores.bff), haproxy: mid((r) => r.cores.haproxy), mocks: mid((r) => r.cores.mocks), redis: mid((r) => r.cores.redis), machine: mid((r) => r.cores.machine) },
      perBffCpuSecond: mid((r) => r.perBffCpuSecond),
    }
  } finally {
    await topology.stop()
  }
}

async function main(): Promise<void> {
  stopChildrenOnExit('bench:scale')
  log('scale benchmark: home query through HAProxy, 1 vs 2 BFF instances, entity cache off and on (Redis)')
  log(conditions())
  log(`load: ${externalLoad().description}, ${CONNECTIONS} connections, ${ROUNDS} × ${DURATION_S} s per configuration after 5 s unmeasured; mocks at 1 ms`)
  const rows: string[][] = [['cache', 'BFFs', 'req/s', 'p50 ms', 'p99 ms', 'BFF cores', 'HAProxy', 'mocks', 'Redis', 'machine busy', 'req per BFF CPU-s', 'failed']]
  const results = new Map<string, Round>()
  for (const cache of [false, true]) {
    for (const instances of [1, 2]) {
      const r = await configuration(cache, instances)
      results.set(`${cache}-${instances}`, r)
      const c = r.cores
      rows.push([cache ? 'on' : 'off', String(instances), fixed(r.reqPerS, 0), fixed(r.p50Ms, 1), fixed(r.p99Ms, 1), fixed(c.bff, 2), fixed(c.haproxy, 2), fixed(c.mocks, 2), fixed(c.redis, 2), fixed(c.machine, 2), fixed(r.perBffCpuSecond, 0), String(r.failures)])
      log(`  done: cache ${cache ? 'on' : 'off'}, ${instances} BFF(s)`)
    }
  }
  log()
  log(table(rows))
  log()
  for (const cache of [false, true]) {
    const one = results.get(`${cache}-1`)
    const two = results.get(`${cache}-2`)
    if (one === undefined || two === undefined) continue
    const perCore = median([one.perBffCpuSecond, two.perBffCpuSecond])
    log(`cache ${cache ? 'on ' : 'off'}: 2 ÷ 1 instances: throughput ×${fixed(two.reqPerS / one.reqPerS, 2)}, req per BFF CPU-second ×${fixed(two.perBffCpuSecond / one.perBffCpuSecond, 2)}`)
    const needed = (load: number): number => Math.ceil(load / (perCore * TARGET_UTILISATION))
    log(`  capacity: ~${fixed(perCore, 0)} req/s per BFF core; at ${TARGET_UTILISATION * 100} % CPU, 1,000 req/s needs ${needed(1_000)} instance(s), 5,000 req/s ${needed(5_000)}, 20,000 req/s ${needed(20_000)} (one core each, + 1 for a lost instance)`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
