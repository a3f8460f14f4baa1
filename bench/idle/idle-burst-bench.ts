/**
 * The first seconds of load after an idle spell, beside the steady state:
 * two BFFs (the shipped node flags, and the same plus `--node-args`) and the
 * hand-written baseline left idle, then each given a burst of the home query,
 * measured, and the same load again right after, measured, as its steady
 * state. The baseline says what of a slow start is the machine's (cold
 * caches, another tenant) rather than the BFF's. They take turns at going
 * first, so none always idles longer.
 *
 * Conditions are cpu mode's `--pin`: the BFFs on core 0, the mocks (~1 ms),
 * wrk and this process on core 1; auth on with a real token, the entity cache
 * off (every query fans out), LOG_LEVEL=warn. CPU per answered request comes
 * from /proc/<pid>/stat, RSS from /proc/<pid>/status just before each burst.
 *
 *   npm run bench:idle -- [--cycles 6] [--idle 40] [--burst 5] [--node-args "--no-memory-reducer"]
 *
 * `--node-args ""` runs two identical BFFs: the A/A control of what this
 * machine resolves.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { externalLoad } from '../home/load-generator.js'
import { CPU_MODE_LATENCIES } from '../lib/critical-path.js'
import { delay, stopChildrenOnExit, stopAll } from '../lib/child-processes.js'
import { benchToken, startMocksProcess } from '../lib/mocks-process.js'
import type { TargetKind } from '../lib/load-result.js'
import { OTHER_CPU, pinSelf, SERVER_CPU } from '../lib/pinning.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { bffEnv, nodeFlagsOf, SHIPPED_NODE_FLAGS } from '../lib/server-env.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { median } from '../lib/summary-stats.js'

const CONNECTIONS = 50

interface Options {
  readonly cycles: number
  readonly idleS: number
  readonly burstS: number
  readonly warmupS: number
  readonly nodeArgs: readonly string[]
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      cycles: { type: 'string' },
      idle: { type: 'string' },
      burst: { type: 'string' },
      warmup: { type: 'string' },
      'node-args': { type: 'string' },
    },
  })
  const positive = (text: string | undefined, fallback: number, flag: string): number => {
    const value = text === undefined ? fallback : Number(text)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} must be a positive integer, got "${String(text)}"`)
    return value
  }
  return {
    cycles: positive(values.cycles, 6, 'cycles'),
    idleS: positive(values.idle, 40, 'idle'),
    burstS: positive(values.burst, 5, 'burst'),
    warmupS: positive(values.warmup, 10, 'warmup'),
    nodeArgs: nodeFlagsOf(values['node-args'] ?? '--no-memory-reducer'),
  }
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(line?.replace(/\D+/g, '') ?? Number.NaN) / 1024
}

interface Burst {
  /** CPU ms per answered request in the first burst after the idle spell, and in the one right after it. */
  readonly afterIdle: number
  readonly steady: number
  /** RSS when the idle spell ended (MB). */
  readonly idleRssMb: number
  readonly errors: number
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const signals = stopChildrenOnExit('idle-burst bench')
  pinSelf()
  const load = externalLoad()
  log(`idle-then-burst bench: BFFs on core ${SERVER_CPU}; bench, mocks and ${load.description} on core ${OTHER_CPU}`)
  log(conditions())
  const mocks = await startMocksProcess(CPU_MODE_LATENCIES)
  const bearerToken = await benchToken(mocks, true)
  const env = bffEnv(mocks.urls, { auth: true, cache: false, bffEnv: {} }, mocks.authUrl)
  const targets: { label: string; kind: TargetKind; server: ServerProcess }[] = [
    { label: `bff, shipped (${SHIPPED_NODE_FLAGS.join(' ')})`, kind: 'bff', server: await startServerProcess({ name: 'bff-shipped', entry: '../../src/server.js', env, cpus: SERVER_CPU }) },
    {
      label: options.nodeArgs.length === 0 ? 'bff, shipped again (A/A)' : `bff + ${options.nodeArgs.join(' ')}`,
      kind: 'bff',
      server: await startServerProcess({ name: 'bff-variant', entry: '../../src/server.js', env, nodeArgs: options.nodeArgs, cpus: SERVER_CPU }),
    },
    { label: 'baseline (shipped flags)', kind: 'baseline', server: await startServerProcess({ name: 'baseline', entry: '../home/baseline-server.js', env, cpus: SERVER_CPU }) },
  ]
  log(`load: ${CONNECTIONS} connections; warm-up ${options.warmupS} s each; ${options.cycles} cycles of ${options.idleS} s idle, then per server ${options.burstS} s measured after the idle and ${options.burstS} s more as its steady state`)
  for (const target of targets) await load.run({ origin: target.server.origin, kind: target.kind, connections: CONNECTIONS, durationS: options.warmupS, bearerToken })

  const measure = async ({ server, kind }: (typeof targets)[number]): Promise<{ cpuMs: number; errors: number }> => {
    const before = cpuTimeMs(server.child.pid)
    const result = await load.run({ origin: server.origin, kind, connections: CONNECTIONS, durationS: options.burstS, bearerToken })
    return { cpuMs: (cpuTimeMs(server.child.pid) - before) / result.requests, errors: result.non2xx + result.socketErrors + result.graphqlErrors }
  }
  const bursts = new Map(targets.map((target) => [target, [] as Burst[]]))
  const rows: string[][] = [['cycle', 'server', 'RSS at idle end (MB)', 'CPU ms/req after idle', 'steady', 'after ÷ steady', 'errors']]
  for (let cycle = 1; cycle <= options.cycles && !signals.interrupted; cycle++) {
    // The idle spell is what is measured: nothing runs on any server.
    await delay(options.idleS * 1_000)
    const start = (cycle - 1) % targets.length
    for (const bff of [...targets.slice(start), ...targets.slice(0, start)]) {
      const idleRssMb = rssMb(bff.server.child.pid)
      const first = await measure(bff)
      const second = await measure(bff)
      const burst: Burst = { afterIdle: first.cpuMs, steady: second.cpuMs, idleRssMb, errors: first.errors + second.errors }
      bursts.get(bff)?.push(burst)
      rows.push([String(cycle), bff.label, fixed(idleRssMb, 0), fixed(burst.afterIdle, 3), fixed(burst.steady, 3), fixed(burst.afterIdle / burst.steady, 2), String(burst.errors)])
      log(`  cycle ${cycle} ${bff.label}: ${fixed(burst.afterIdle, 3)} ms/req after idle, ${fixed(burst.steady, 3)} steady, RSS ${fixed(idleRssMb, 0)} MB at idle end`)
    }
  }
  log()
  log(table(rows))
  log()
  const summary: string[][] = [['server', 'median after idle', 'median steady', 'median after ÷ steady', 'bursts after idle > 1.5× its steady', 'median RSS at idle end (MB)']]
  for (const bff of targets) {
    const list = bursts.get(bff) ?? []
    summary.push([
      bff.label,
      fixed(median(list.map((b) => b.afterIdle)), 3),
      fixed(median(list.map((b) => b.steady)), 3),
      fixed(median(list.map((b) => b.afterIdle / b.steady)), 2),
      `${list.filter((b) => b.afterIdle > 1.5 * b.steady).length} of ${list.length}`,
      fixed(median(list.map((b) => b.idleRssMb)), 0),
    ])
  }
  log(table(summary))
  log(conditions())
}

try {
  await main()
} finally {
  await stopAll()
}
