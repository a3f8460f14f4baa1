/**
 * `npm run bench:chaos`: the BFF under a sick recommendations
 * service, next to a healthy run of the same load. Mocks and BFF run as child
 * processes on loopback (bench/mocks-process.ts, bench/server-process.ts);
 * two autocannon instances in this process drive, at fixed rates and side by
 * side, the full home query (touches recommendations) and a "lite" home query
 * that does not. Phases: warm-up, healthy, chaos (recommendations 100–300 ms,
 * p50 200 ms, 10 % hangs, 10 % 503s), healthy again: the two healthy phases
 * bracket the chaos phase so drift in a shared machine's load shows up
 * instead of passing for an effect. The BFF's RSS is sampled through the
 * chaos phase. Every child is stopped on the way out.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { isRecord, requestJson } from '../lib/admin-client.js'
import { delay, stopAll, stopChildrenOnExit } from '../lib/child-processes.js'
import type { Latencies } from '../lib/critical-path.js'
import { HOME_QUERY, userIdAt } from '../lib/home-query.js'
import { downstreamEnv, startMocksProcess } from '../lib/mocks-process.js'
import { startServerProcess } from '../lib/server-process.js'

/** The home query without its recommendations leg: what a slow recommendations service must not slow down. */
const LITE_QUERY = `query HomeLite($userId: ID!) {
  home(userId: $userId) {
    user { id name avatarUrl }
    recentOrders { id status items { quantity product { name price { formatted } } } }
    notifications { unreadCount latest { message } }
  }
}`

/** Healthy services answer in a few ms; recommendations' own settings are applied per phase. */
const HEALTHY: Latencies = { users: 5, orders: 5, catalog: 5, inventory: 5, notifications: 5, recommendations: 20 }
const HEALTHY_RECOMMENDATIONS = { latencyMs: 20, errorRate: 0, hangRate: 0 }
const SICK_RECOMMENDATIONS = { latencyMs: [100, 300], errorRate: 0.1, errorStatus: 503, hangRate: 0.1 }
/** The BFF's default recommendations timeout (src/config/load-config.ts DEFAULT_SERVICE_TIMEOUTS_MS). */
const RECOMMENDATIONS_TIMEOUT_MS = 250

/** Fixed rates keep the BFF below saturation, so latencies measure policies, not queueing. */
const LOADS = { home: { rate: 30, connections: 24 }, lite: { rate: 30, connections: 8 } } as const

interface LoadFigures {
  readonly requests: number
  readonly non200: number
  /** Connection errors and autocannon timeouts. */
  readonly errors: number
  /** 200 answers with an `errors` entry (partial data). */
  readonly partial: number
  /** `extensions.code` of every error entry, counted. */
  readonly codes: Readonly<Record<string, number>>
  readonly p50: number
  readonly p99: number
}

function runLoad(origin: string, query: string, load: { rate: number; connections: number }, durationS: number): Promise<LoadFigures> {
  let n = 0
  let partial = 0
  const codes: Record<string, number> = {}
  return autocannon({
    url: origin,
    connections: load.connections,
    overallRate: load.rate,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ query, variables: { userId: userIdAt(n++) } }) }),
        onResponse: (status, body) => {
          if (status !== 200 || !body.includes('"errors"')) return
          partial++
          for (const match of body.matchAll(/"code":"([A-Z_]+)"/g)) codes[match[1] as string] = (codes[match[1] as string] ?? 0) + 1
        },
      },
    ],
  }).then((result) => ({
    requests: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    non200: result.non2xx,
    errors: result.errors + result.timeouts,
    partial,
    codes,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }))
}

async function setRecommendations(url: string, faults: Record<string, unknown>): Promise<void> {
  const { statusCode } = await requestJson(`${url}/__admin/faults`, { body: faults })
  if (statusCode !== 200) throw new Error(`setting recommendations faults failed with ${statusCode}`)
}

/** Resident set size of a process in MB, from /proc (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Math.round(Number(kb) / 102.4) / 10
}

/** Samples RSS every `everyMs` until `until` resolves. */
async function sampleRss(pid: number, everyMs: number, until: Promise<unknown>): Promise<number[]> {
  const samples: number[] = [await rssMb(pid)]
  let done = false
  void until.finally(() => {
    done = true
  })
  while (!done) {
    await Promise.race([delay(everyMs), until])
    samples.push(await rssMb(pid))
  }
  return samples
}

async function phase(origin: string, durationS: number) {
  const [home, lite] = await Promise.all([
    runLoad(origin, HOME_QUERY, LOADS.home, durationS),
    runLoad(origin, LITE_QUERY, LOADS.lite, durationS),
  ])
  return { home, lite }
}

const line = (name: string, f: LoadFigures): string =>
  `${name.padEnd(6)} requests ${String(f.requests).padStart(6)}  non-200 ${f.non200}  errors ${f.errors}  p50 ${f.p50} ms  p99 ${f.p99} ms` +
  `  partial ${f.partial} ${JSON.stringify(f.codes)}`

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, 'healthy-seconds': { type: 'string', default: '20' } } })
  const chaosS = Number(values.seconds)
  const healthyS = Number(values['healthy-seconds'])
  if (!(chaosS >= 5 && chaosS <= 600 && healthyS >= 5 && healthyS <= 600)) throw new Error('--seconds and --healthy-seconds must be 5..600')

  const mocks = await startMocksProcess(HEALTHY)
  const bff = await startServerProcess({
    name: 'bff',
    entry: '../../src/server.js',
    env: { ...downstreamEnv(mocks.urls), LOG_LEVEL: 'warn', GRAPHIQL_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' },
  })
  const recs = mocks.urls.recommendations
  process.stdout.write(`chaos-bench: BFF pid ${bff.child.pid} at ${bff.origin}; rates home ${LOADS.home.rate}/s, lite ${LOADS.lite.rate}/s\n`)

  await setRecommendations(recs, HEALTHY_RECOMMENDATIONS)
  await phase(bff.origin, 5)
  const healthy = await phase(bff.origin, healthyS)
  process.stdout.write(`\nhealthy before (${healthyS} s, recommendations 20 ms)\n${line('home', healthy.home)}\n${line('lite', healthy.lite)}\n`)

  await setRecommendations(recs, SICK_RECOMMENDATIONS)
  const chaosRun = phase(bff.origin, chaosS)
  const rss = await sampleRss(bff.child.pid, 5_000, chaosRun)
  const chaos = await chaosRun
  const { body: ready } = await requestJson(`${bff.origin}/health/ready`)
  const recsHealth = isRecord(ready) && isRecord(ready['downstreams']) && isRecord(ready['downstreams']['services'])
    ? ready['downstreams']['services']['recommendations']
    : undefined
  process.stdout.write(`\nchaos (${chaosS} s, recommendations [100, 300] ms, 10 % hang, 10 % 503)\n${line('home', chaos.home)}\n${line('lite', chaos.lite)}\n`)
  process.stdout.write(`recommendations at the BFF at the end of chaos: ${JSON.stringify(recsHealth)}\n`)

  await setRecommendations(recs, HEALTHY_RECOMMENDATIONS)
  const after = await phase(bff.origin, healthyS)
  process.stdout.write(`\nhealthy after (${healthyS} s)\n${line('home', after.home)}\n${line('lite', after.lite)}\n`)

  const all = [healthy.home, healthy.lite, chaos.home, chaos.lite, after.home, after.lite]
  const non200 = all.reduce((sum, f) => sum + f.non200 + f.errors, 0)
  const liteHealthyP99 = (healthy.lite.p99 + after.lite.p99) / 2
  const rssFirst = rss[0] ?? 0
  const rssLast = rss[rss.length - 1] ?? 0
  process.stdout.write(
    [
      '',
      `non-200 responses (all phases, incl. socket errors/timeouts): ${non200}   target 0`,
      `home p99 under chaos: ${chaos.home.p99} ms   target <= ${RECOMMENDATIONS_TIMEOUT_MS + 25} ms (recommendations timeout + 25)`,
      `lite p99 chaos / mean healthy: ${chaos.lite.p99} / ${liteHealthyP99} ms = ${(chaos.lite.p99 / liteHealthyP99).toFixed(2)}   target <= 1.10` +
        ` (healthy before ${healthy.lite.p99}, after ${after.lite.p99})`,
      `BFF RSS every 5 s (MB): ${rss.join(' ')}   last / first = ${(rssLast / rssFirst).toFixed(2)}, max ${Math.max(...rss)}`,
      '',
    ].join('\n'),
  )
  await bff.child.stop()
  await mocks.child.stop()
}

stopChildrenOnExit('chaos-bench')

main().then(
  () => stopAll(),
  async (error: unknown) => {
    process.stderr.write(`chaos-bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    await stopAll()
    process.exitCode = 1
  },
)
