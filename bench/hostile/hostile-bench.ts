import { Agent, request } from 'undici'
import { requestJson } from '../lib/admin-client.js'
import { fileURLToPath } from 'node:url'
import { spawnChild, stopAll, stopChildrenOnExit, waitForOutput } from '../lib/child-processes.js'
import { downstreamEnv, startMocksProcess } from '../lib/mocks-process.js'
import { cpuTimeMs } from '../lib/process-cpu.js'
import { startServerProcess } from '../lib/server-process.js'

/**
 * A hostile caller against bystanders, from outside, with the BFF at its
 * shipped defaults (rate limit and cost limit on) in its own process: the
 * bystanders' p50/p99 idle, then while one client that ignores Retry-After
 * runs loops of the probe's wide query (search → reviews → author →
 * followers → orders, 100 of each), and the breakers afterwards. Also how long the
 * doubling-fragments document takes, first run and compiled.
 *
 *   npm run bench:hostile [-- --seconds 10 --copies 50 --early-retry-delay MS]
 */
const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(args[at + 1])
}
const SECONDS = option('seconds', 10)
const COPIES = option('copies', 50)
/** RATE_LIMIT_EARLY_RETRY_DELAY_MS for the BFF; -1 keeps the shipped default. */
const EARLY_RETRY_DELAY_MS = option('early-retry-delay', -1)

const WIDE = `{ search(query: "a", first: 100) { edges { node { reviews(first: 100) { edges { node {
  author { followers(first: 100) { orders(first: 100) { edges { node { id status } } } } } } } } } } } }`

function doubling(n: number): string {
  let doc = '{ product(id: "1") { ...F0 } }'
  for (let i = 0; i < n; i++) doc += ` fragment F${i} on Product { ...F${i + 1} ...F${i + 1} name }`
  return `${doc} fragment F${n} on Product { name }`
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN

const dispatcher = new Agent({ connections: 128 })

async function post(origin: string, query: string, client: string): Promise<{ status: number; codes: string[] }> {
  const response = await request(`${origin}/graphql`, {
    method: 'POST',
    dispatcher,
    // The BFF believes X-Forwarded-For from 127.0.0.1 (TRUST_PROXY below), as it would from its balancer.
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ query }),
  })
  const body = (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] }
  return { status: response.statusCode, codes: [...new Set((body.errors ?? []).map((error) => error.extensions?.code ?? '?'))] }
}

/** Sequential bystander queries for `seconds`: latencies in ms, sorted, and failures. */
async function bystander(origin: string, seconds: number): Promise<{ sorted: number[]; failures: number; codes: Set<string> }> {
  const latencies: number[] = []
  let failures = 0
  const codes = new Set<string>()
  const end = Date.now() + seconds * 1_000
  for (let i = 0; Date.now() < end; i++) {
    const started = performance.now()
    // Many users, each well within its own rate limit.
    const answer = await post(origin, `{ product(id: "${(i % 200) + 1}") { name price { formatted } } }`, `198.51.${Math.floor(i / 250) % 4}.${i % 250}`)
    latencies.push(performance.now() - started)
    if (answer.status !== 200 || answer.codes.length > 0) {
      failures += 1
      for (const code of answer.codes) codes.add(code)
    }
  }
  return { sorted: latencies.sort((a, b) => a - b), failures, codes }
}

/** `--attack <origin>`: the hostile side, `COPIES` loops of the wide query; prints a JSON tally at the end. */
async function attack(origin: string): Promise<void> {
  const codes: Record<string, number> = {}
  let requests = 0
  const end = Date.now() + SECONDS * 1_000
  process.stdout.write('attacking\n')
  await Promise.all(
    Array.from({ length: COPIES }, async () => {
      while (Date.now() < end) {
        // One client that never honours Retry-After.
        const answer = await post(origin, WIDE, '203.0.113.66')
        requests += 1
        for (const code of answer.codes.length === 0 ? [`HTTP ${answer.status}`] : answer.codes) codes[code] = (codes[code] ?? 0) + 1
      }
    }),
  )
  process.stdout.write(`${JSON.stringify({ requests, codes })}\n`)
  await dispatcher.close()
}

async function main(): Promise<void> {
  stopChildrenOnExit('bench:hostile')
  const mocks = await startMocksProcess({ users: 1, orders: 1, catalog: 1, inventory: 1, notifications: 1, recommendations: 1 })
  const bff = await startServerProcess({
    name: 'bff',
    entry: '../../src/server.js',
    env: { ...downstreamEnv(mocks.urls), LOG_LEVEL: 'warn', GRAPHIQL_ENABLED: 'false',
      TRUST_PROXY: '127.0.0.1',
      ...(EARLY_RETRY_DELAY_MS >= 0 && { RATE_LIMIT_EARLY_RETRY_DELAY_MS: String(EARLY_RETRY_DELAY_MS) }),
    },
  })
  const origin = bff.origin
  await bystander(origin, 2)

  const timings: number[] = []
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    await post(origin, doubling(40), '192.0.2.40')
    timings.push(performance.now() - started)
  }
  console.log(`doubling fragments, n = 40: ${timings.map((ms) => `${ms.toFixed(1)} ms`).join(', ')} (parse+validate, compile, compiled)`)

  const idle = await bystander(origin, SECONDS)
  const cpuBefore = cpuTimeMs(bff.child.process.pid ?? 0)
  // The attackers run in a process of their own: parsing their large answers here would delay the
  // bystander's own measurement, not the BFF's answer.
  const attacker = spawnChild({
    name: 'attacker',
    command: process.execPath,
    args: [fileURLToPath(import.meta.url), '--attack', origin, '--copies', String(COPIES), '--seconds', String(SECONDS + 1)],
    env: { PATH: process.env['PATH'] ?? '' },
  })
  await waitForOutput(attacker, 'attacking', 10_000)
  const attacked = await bystander(origin, SECONDS)
  const report = JSON.parse((await waitForOutput(attacker, '"requests"', 60_000)).trim().split('\n').pop() ?? '{}') as {
    requests: number
    codes: Record<string, number>
  }
  const hostileRequests = report.requests
  const tally = new Map(Object.entries(report.codes))
  const cpuMs = cpuTimeMs(bff.child.process.pid ?? 0) - cpuBefore
  const { body } = await requestJson(`${origin}/health/ready`)
  const services = (body as { downstreams?: { services?: Record<string, { breaker: string }> } }).downstreams?.services ?? {}

  const row = (label: string, run: { sorted: number[]; failures: number; codes: Set<string> }) =>
    `${label.padEnd(22)} n=${String(run.sorted.length).padStart(5)}  p50 ${percentile(run.sorted, 0.5).toFixed(1).padStart(6)} ms  p99 ${percentile(run.sorted, 0.99).toFixed(1).padStart(7)} ms  failures ${run.failures} ${[...run.codes].join(' ')}`
  console.log(row('bystander, idle', idle))
  console.log(row(`bystander, ${COPIES} hostile`, attacked))
  console.log(`p99 under attack ÷ idle: ${(percentile(attacked.sorted, 0.99) / percentile(idle.sorted, 0.99)).toFixed(2)}`)
  console.log(`hostile requests: ${hostileRequests} in ${SECONDS + 1} s; codes: ${[...tally].map(([code, n]) => `${code} ×${n}`).join(', ')}`)
  console.log(`BFF CPU during the attack: ${(cpuMs / 1_000).toFixed(1)} s over ${SECONDS} s`)
  console.log(`breakers after: ${Object.entries(services).map(([name, s]) => `${name} ${s.breaker}`).join(', ')}`)
  await stopAll()
  await dispatcher.close()
}

const attackAt = args.indexOf('--attack')
;(attackAt === -1 ? main() : attack(args[attackAt + 1] ?? '')).catch(async (error: unknown) => {
  console.error(error)
  await stopAll()
  process.exit(1)
})
