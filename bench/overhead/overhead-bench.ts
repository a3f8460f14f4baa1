/**
 * `npm run bench:overhead`: the BFF's own CPU per home query, next to the
 * hand-written baseline's, with the network taken out. Both run in this
 * process on MemoryDispatchers that replay recorded mock answers, so what is
 * left is exactly what differs between them (GraphQL, batching, resilience,
 * validation, money formatting) plus the HTTP handling both share
 * (fastify's inject). One process and no sockets make it far steadier than
 * the CPU mode (±3 % between runs instead of ±30 %): it is the yardstick for
 * changes to the per-query cost; the CPU mode remains the end-to-end figure.
 *
 *   --queries N   per round and server (default 4000)
 *   --rounds N    interleaved rounds (default 5)
 *   --cache       with the entity cache on, warm (in-process store)
 *   --rate-limit  with the per-caller rate limit on (a bucket no query here
 *                 empties): what pricing and charging each query costs
 *   --only KIND   measure only `bff` or `baseline` (e.g. under --cpu-prof)
 *   --variant K=V[,K=V]  a second BFF with this extra environment (e.g.
 *                 METRICS_ENABLED=false) in the same interleaved rounds,
 *                 reported as a ratio to the first BFF round by round
 *   --cpu-profile <path>  write a CPU profile of the BFF's measured rounds
 *                 only (no start-up, recording or warm-up) to <path>
 *   --alloc       also report bytes allocated per query (V8's sampling heap
 *                 profiler, collected objects included): steadier than CPU
 *                 time on a shared machine, and what the GC pays for; with
 *                 HEAP_PROFILE_OUT=<path> set, the two sampled profiles are
 *                 written to <path>.bff.heapprofile and <path>.baseline.heapprofile
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { parseArgs } from 'node:util'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load-config.js'
import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { startMocks } from '../../mocks/start-mocks.js'
import { baselineHome, type BaselinePools } from '../lib/baseline-home.js'
import { baselinePath, homeRequestBody, USER_COUNT, userIdAt } from '../lib/home-query.js'
import { MemoryDispatcher } from './memory-dispatcher.js'
import { keyValue } from '../lib/bench-options.js'
import { downstreamEnv } from '../lib/mocks-process.js'
import { conditions, fixed, log, table } from '../lib/report-format.js'
import { median } from '../lib/summary-stats.js'

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '5' },
    cache: { type: 'boolean', default: false },
    'rate-limit': { type: 'boolean', default: false },
    only: { type: 'string' },
    alloc: { type: 'boolean', default: false },
    'cpu-profile': { type: 'string' },
    variant: { type: 'string' },
  },
})
const VARIANT: Readonly<Record<string, string>> | null =
  values.variant === undefined ? null : Object.fromEntries(values.variant.split(',').map((pair) => keyValue(pair, 'variant')))
const QUERIES = Number(values.queries)
const ROUNDS = Number(values.rounds)
/** As in the CPU mode's load: 50 requests in flight, so their objects overlap in the heap as they do in production. */
const IN_FLIGHT = 50

type Target = (n: number, strict?: boolean) => Promise<void>

async function runQueries(target: Target, count: number, offset: number, strict = true): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) await target(offset + next++, strict)
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

/** CPU (user + system) of every thread of this process, in µs per query. */
async function cpuPerQuery(target: Target, count: number, offset: number): Promise<number> {
  const before = process.cpuUsage()
  await runQueries(target, count, offset)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / count
}

interface SampledNode {
  readonly selfSize: number
  readonly children: readonly SampledNode[]
}

const totalSize = (node: SampledNode): number => node.children.reduce((sum, child) => sum + totalSize(child), node.selfSize)

/** Bytes allocated per query, sampled every 512 bytes. */
async function bytesPerQuery(label: string, target: Target, count: number, offset: number): Promise<number> {
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  await runQueries(target, count, offset)
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampledNode } }
  session.disconnect()
  if (process.env['HEAP_PROFILE_OUT'] !== undefined) writeFileSync(`${process.env['HEAP_PROFILE_OUT']}.${label}.heapprofile`, JSON.stringify(profile))
  return totalSize(profile.head) / count
}

function bffTarget(app: FastifyInstance): Target {
  return async (n, strict) => {
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: homeRequestBody(userIdAt(n)),
    })
    if (strict === true && (response.statusCode !== 200 || response.body.includes('"errors"'))) throw new Error(`BFF: ${response.statusCode} ${response.body.slice(0, 300)}`)
  }
}

function baselineTarget(app: FastifyInstance): Target {
  return async (n) => {
    const response = await app.inject({ method: 'GET', url: baselinePath(userIdAt(n)) })
    if (response.statusCode !== 200) throw new Error(`baseline: ${response.statusCode} ${response.body.slice(0, 300)}`)
  }
}

async function main(): Promise<void> {
  log('overhead benchmark: home query, downstream answers replayed from memory')
  log(conditions())
  const mocks = await startMocks({
    ports: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])),
    faults: { recommendations: { latencyMs: 0 } },
  })
  const dispatchers = Object.fromEntries(SERVICE_NAMES.map((name) => [name, new MemoryDispatcher(mocks.urls[name])])) as Record<
    ServiceName,
    MemoryDispatcher
  >
  const env: Record<string, string> = {
    AUTH_DISABLED: 'true',
    ...downstreamEnv(mocks.urls),
    LOG_LEVEL: 'warn',
    GRAPHIQL_ENABLED: 'false',
    DOWNSTREAM_BULKHEAD_CONCURRENCY: '64',
    ...(values['rate-limit']
      ? { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '1000000000', RATE_LIMIT_POINTS_PER_SECOND: '1000000000' }
      : { RATE_LIMIT_ENABLED: 'false' }),
    // The recording passes make real calls to mocks sharing this process's event loop: on a loaded
    // machine they outran the shipped 250/800 ms limits, opened breakers, and the measured rounds
    // then failed on paths never recorded. Replayed calls never come near a limit, so these change
    // nothing that is measured.
    DOWNSTREAM_TIMEOUT_MS: '10000',
    RECOMMENDATIONS_TIMEOUT_MS: '10000',
    REQUEST_DEADLINE_MS: '30000',
    // Load shedding measures the machine's other tenants, not the query.
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(values.cache ? {} : { CACHE_ENABLED: 'false' }),
  }
  const bff = await buildApp(loadConfig(env), { logger: { level: 'warn' }, dispatcherFactory: (service) => dispatchers[service] })
  const variantApp = VARIANT === null ? null : await buildApp(loadConfig({ ...env, ...VARIANT }), { logger: { level: 'warn' }, dispatcherFactory: (service) => dispatchers[service] })
  const baselineApp = Fastify({ logger: false })
  const pools: BaselinePools = dispatchers
  baselineApp.get<{ Params: { userId: string } }>('/home/:userId', (request) => baselineHome(pools, request.params.userId, request.id))
  await Promise.all([bff.ready(), baselineApp.ready(), variantApp?.ready()])

  const targets: Record<'bff' | 'variant' | 'baseline', Target> = {
    bff: bffTarget(bff),
    variant: variantApp === null ? async () => undefined : bffTarget(variantApp),
    baseline: baselineTarget(baselineApp),
  }
  const kinds = variantApp === null ? (['bff', 'baseline'] as const) : (['bff', 'variant', 'baseline'] as const)
  // Record every answer both will need (slow: real calls, so timeouts are tolerated and retried
  // on the next pass), then warm the JIT on replayed answers.
  for (let pass = 0; pass < 2; pass += 1) for (const kind of kinds) await runQueries(targets[kind], USER_COUNT, 0, false)
  for (const kind of kinds) await runQueries(targets[kind], QUERIES, USER_COUNT)
  const missesAfterWarmUp = SERVICE_NAMES.reduce((sum, name) => sum + dispatchers[name].misses, 0)

  log(`${ROUNDS} interleaved rounds × ${QUERIES} queries per server, ${IN_FLIGHT} in flight${values.cache ? ', entity cache on (warm)' : ', CACHE_ENABLED=false'}${values['rate-limit'] ? ', rate limit on' : ''}`)
  const samples = { bff: [] as number[], variant: [] as number[], baseline: [] as number[] }
  const profiler = values['cpu-profile'] === undefined ? null : new Session()
  profiler?.connect()
  await profiler?.post('Profiler.enable')
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const kind of kinds) {
      if (values.only !== undefined && values.only !== kind && !(values.only === 'bff' && kind === 'variant')) continue
      if (kind === 'bff') await profiler?.post('Profiler.start')
      samples[kind].push(await cpuPerQuery(targets[kind], QUERIES, round * QUERIES))
      if (kind === 'bff' && profiler !== null) {
        const { profile } = (await profiler.post('Profiler.stop')) as { profile: unknown }
        writeFileSync(`${values['cpu-profile']}.${round + 1}.cpuprofile`, JSON.stringify(profile))
      }
    }
    const memory = process.memoryUsage()
    const variantNote = variantApp === null ? '' : `, variant ${fixed(samples.variant.at(-1) ?? 0, 0)} µs`
    log(`  round ${round + 1}: bff ${fixed(samples.bff.at(-1) ?? 0, 0)} µs${variantNote}, baseline ${fixed(samples.baseline.at(-1) ?? 0, 0)} µs (heap ${fixed(memory.heapUsed / 1_048_576, 0)} of ${fixed(memory.heapTotal / 1_048_576, 0)} MB, RSS ${fixed(memory.rss / 1_048_576, 0)} MB)`)
  }
  const misses = SERVICE_NAMES.reduce((sum, name) => sum + dispatchers[name].misses, 0) - missesAfterWarmUp
  // With --only, the other side has no samples: its figures print as NaN instead of failing.
  const medianOrNaN = (values: readonly number[]): number => (values.length > 0 ? median(values) : Number.NaN)
  const bffUs = medianOrNaN(samples.bff)
  const baselineUs = medianOrNaN(samples.baseline)
  log()
  log(
    table([
      ['median of rounds', 'CPU µs/query'],
      ['bff', fixed(bffUs, 0)],
      ['baseline', fixed(baselineUs, 0)],
      ['bff ÷ baseline', fixed(bffUs / baselineUs, 2)],
      ['median of per-round ratios', fixed(medianOrNaN(samples.bff.map((us, i) => us / (samples.baseline[i] ?? Number.NaN))), 2)],
      ['bff − baseline', fixed(bffUs - baselineUs, 0)],
      ...(variantApp === null
        ? []
        : [
            [`variant (${values.variant ?? ''})`, fixed(medianOrNaN(samples.variant), 0)],
            ['variant ÷ bff, median of per-round ratios', fixed(medianOrNaN(samples.variant.map((us, i) => us / (samples.bff[i] ?? Number.NaN))), 3)],
            ['  per round', samples.variant.map((us, i) => fixed(us / (samples.bff[i] ?? Number.NaN), 3)).join(' ')],
          ]),
    ]),
  )
  log(`requests not answered from memory while measuring: ${misses}`)
  if (values.alloc) {
    const kb = { bff: await bytesPerQuery('bff', targets.bff, QUERIES, 0), baseline: await bytesPerQuery('baseline', targets.baseline, QUERIES, 0) }
    log(`allocated per query: bff ${fixed(kb.bff / 1_024, 1)} KB, baseline ${fixed(kb.baseline / 1_024, 1)} KB (${fixed(kb.bff / kb.baseline, 2)}×)`)
  }
  await Promise.all([bff.close(), variantApp?.close(), baselineApp.close(), mocks.close(), ...Object.values(dispatchers).map((d) => d.close())])
}

main().catch((error: unknown) => {
  process.stderr.write(`overhead-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
