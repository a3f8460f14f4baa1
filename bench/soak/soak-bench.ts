/**
 * `npm run bench:soak`: `npm start` (mocks, event generator and BFF in one
 * process, shipped node flags) under a bounded mix of home queries,
 * websocket subscribers with live events, and hostile requests; then every
 * socket closed and the process left alone. Reports heap after a forced GC
 * and RSS at start, peak and end, read through the inspector, and checks that
 * heap after GC comes back within 10 % of its start. See docs/benchmarks.md "Soak".
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { requestJson, isRecord } from '../lib/admin-client.js'
import { delay, stopChildrenOnExit } from '../lib/child-processes.js'
import { USER_COUNT } from '../lib/home-query.js'
import { SHIPPED_NODE_FLAGS } from '../lib/server-env.js'
import { runPaced } from '../lib/paced-load.js'
import { startSoakServer, type SoakServer } from './bff-under-inspector.js'
import { createEventPusher } from './event-pusher.js'
import { HOSTILE_REQUESTS, sendHostile, type HostileOutcomes } from './hostile-requests.js'
import { createPeakTracker, readMemory, type MemoryReading } from './memory-probe.js'
import { runPacedLoop } from './paced-loop.js'
import { hostileTable, memoryTable, verdict, type Moment } from './soak-report.js'
import { parseSoakOptions, USAGE } from './soak-options.js'
import { createSubscriberPool } from './soak-subscribers.js'

const SAMPLE_EVERY_MS = 5_000
const CHURN_EVERY_MS = 30_000
const WARM_UP_S = 30
/** Closing the sockets and the readings around it, roughly. */
const CLOSING_S = 15

const log = (line: string): void => void process.stderr.write(`soak: ${line}\n`)
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(0)

/** The subscriptions section of /health/ready: open connections and streams, and event counters. */
async function subscriptionStats(origin: string): Promise<Readonly<Record<string, unknown>>> {
  const { body } = await requestJson(`${origin}/health/ready`)
  return isRecord(body) && isRecord(body['subscriptions']) ? body['subscriptions'] : {}
}

/**
 * Every path, so that the start reading holds what fills once and then stays
 * the same size: compiled code, graphql-jit's compiled queries (each hostile
 * document twice: compiled on its second run) and the entity cache's working
 * set (each of the mocks' 2,000 users once). Growth measured from there is
 * what the load left behind, not caches filling to their bounds.
 */
async function warmUp(server: SoakServer): Promise<void> {
  const pool = createSubscriberPool(server.wsUrl, 50)
  await pool.add(20)
  const pusher = createEventPusher(server.mockUrls)
  for (let n = 0; n < 20; n += 1) await pusher.push(n)
  const outcomes: HostileOutcomes = new Map()
  for (let round = 0; round < 2; round += 1) {
    await Promise.all(HOSTILE_REQUESTS.map((_, n) => sendHostile(n, server.origin, server.wsUrl, outcomes)))
  }
  await runPaced({ origin: server.origin, ratePerS: USER_COUNT / WARM_UP_S, durationS: WARM_UP_S, connections: 16 })
  await pool.closeAll()
  await pusher.close()
}

async function waitForNoConnections(origin: string, timeoutMs: number): Promise<Readonly<Record<string, unknown>>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const stats = await subscriptionStats(origin)
    if ((stats['connections'] === 0 && stats['subscriptions'] === 0) || Date.now() > deadline) return stats
    await delay(250)
  }
}

async function main(): Promise<void> {
  const options = parseSoakOptions(process.argv.slice(2))
  if (options === null) {
    process.stdout.write(USAGE)
    return
  }
  stopChildrenOnExit('soak')
  const loadS = Math.max(20, options.minutes * 60 - WARM_UP_S - 10 - CLOSING_S - options.settleS)
  if (options.snapshotDir !== null) await mkdir(options.snapshotDir, { recursive: true })
  const snapshot = async (server: SoakServer, name: string): Promise<void> => {
    if (options.snapshotDir === null) return
    const path = join(options.snapshotDir, `${name}.heapsnapshot`)
    log(`heap snapshot → ${path}`)
    await server.inspector.writeHeapSnapshot(path)
  }

  log(`starting npm start's process (start-all) under the inspector`)
  const server = await startSoakServer({ LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false', ...options.bffEnv })
  const moments: Moment[] = []
  const take = async (label: string, afterGc: boolean): Promise<MemoryReading> => {
    const reading = await readMemory(server.inspector, afterGc)
    moments.push({ label, afterGc, reading })
    log(`${label}: heap ${mb(reading.heapUsed)} MB${afterGc ? ' after GC' : ''}, RSS ${mb(reading.rss)} MB`)
    return reading
  }
  try {
    await take('boot', true)
    log(`warm-up: ${USER_COUNT} home queries (every user once) in ${WARM_UP_S} s, 20 subscribers, every hostile request twice`)
    await warmUp(server)
    await waitForNoConnections(server.origin, 10_000)
    await delay(5_000)
    const start = await take('start (warmed up, idle)', true)
    await snapshot(server, '1-start')

    // --- load ---
    log(`load: ${options.subscribers} subscribers, ${options.eventRatePerS} events/s, ${options.homeRatePerS} home queries/s, ${options.hostileRatePerS} hostile/s for ${loadS} s`)
    const peaks = createPeakTracker()
    const series: string[] = []
    const pool = createSubscriberPool(server.wsUrl, 100)
    const pusher = createEventPusher(server.mockUrls)
    const outcomes: HostileOutcomes = new Map()
    const controller = new AbortController()
    const loadStarted = Date.now()
    await pool.add(options.subscribers)
    log(`${pool.open} subscribers open in ${((Date.now() - loadStarted) / 1_000).toFixed(1)} s (${pool.failed} failed)`)
    const stopAt = loadStarted + loadS * 1_000
    const timer = setTimeout(() => controller.abort(), stopAt - Date.now())
    const sampler = (async () => {
      while (!controller.signal.aborted) {
        await delay(SAMPLE_EVERY_MS)
        const reading = await readMemory(server.inspector, false)
        peaks.add(reading)
        const seconds = Math.round((Date.now() - loadStarted) / 1_000)
        if (seconds % 30 < SAMPLE_EVERY_MS / 1_000) {
          const line = `t=${seconds}s heap ${mb(reading.heapUsed)} MB (committed ${mb(reading.heapTotal)}), RSS ${mb(reading.rss)} MB, ${pool.open} open, ${pool.deliveries} deliveries`
          series.push(line)
          log(line)
        }
      }
    })()
    const churn = (async () => {
      const replace = Math.round(options.subscribers * options.churn)
      while (!controller.signal.aborted && replace > 0) {
        await delay(CHURN_EVERY_MS)
        if (controller.signal.aborted) break
        await pool.remove(replace)
        await pool.add(replace)
      }
    })()
    // The load ends with a burst: every change reaches all stock subscribers at once (the probe's case),
    // and the last thing the subscribers saw before closing is that burst. Just before it, the one
    // forced collection under load: none may come between the burst and the readings after it.
    const burst = (async () => {
      await delay(Math.max(0, stopAt - Date.now() - options.burstS * 1_000))
      if (controller.signal.aborted) return { started: 0, skipped: 0 }
      await take(`under load, ${pool.open} sockets open`, true)
      await snapshot(server, '2-under-load')
      if (options.burstS === 0) return { started: 0, skipped: 0 }
      log(`burst: ${options.burstRatePerS} changes/s to the hottest product for the last ${options.burstS} s`)
      return runPacedLoop(options.burstRatePerS, controller.signal, 50, (n) => pusher.pushHottest(n))
    })()
    const [home, events, hostile, burstResult] = await Promise.all([
      runPaced({ origin: server.origin, ratePerS: options.homeRatePerS, durationS: Math.max(1, (stopAt - Date.now()) / 1_000), connections: 16 }),
      runPacedLoop(options.eventRatePerS, controller.signal, 50, (n) => pusher.push(n)),
      runPacedLoop(options.hostileRatePerS, controller.signal, 20, (n) => sendHostile(n, server.origin, server.wsUrl, outcomes)),
      burst,
    ])
    controller.abort()
    clearTimeout(timer)
    await Promise.all([sampler, churn])
    await pusher.close()
    // Let deliveries of the last events finish before reading "load over".
    await delay(3_000)
    const bffStats = await subscriptionStats(server.origin)
    peaks.add(await take(`load over, ${pool.open} sockets open, before GC`, false))

    // --- every socket closed ---
    const deliveries = pool.deliveries
    const deliveriesWithErrors = pool.deliveriesWithErrors
    await pool.closeAll()
    const left = await waitForNoConnections(server.origin, 30_000)
    log(`sockets closed; BFF reports ${String(left['connections'])} connections, ${String(left['subscriptions'])} subscriptions`)
    const closedNoGc = await take('every socket closed, before GC', false)
    peaks.add(closedNoGc)
    const end = await take('every socket closed, after GC', true)
    await snapshot(server, '3-end')

    // --- settle ---
    log(`settling for ${options.settleS} s`)
    const settleUntil = Date.now() + options.settleS * 1_000
    while (Date.now() < settleUntil) {
      await delay(Math.min(SAMPLE_EVERY_MS, settleUntil - Date.now()))
      peaks.add(await readMemory(server.inspector, false))
    }
    await take(`after ${options.settleS} s settle, before GC`, false)
    await take(`after ${options.settleS} s settle, after GC`, true)

    const result = verdict(start, end)
    const hostileSent = [...outcomes.values()].reduce((sum, byOutcome) => sum + [...byOutcome.values()].reduce((a, b) => a + b, 0), 0)
    process.stdout.write(
      `\nsoak: ${options.minutes} min budget (load ${loadS} s, settle ${options.settleS} s), npm start's process with ${SHIPPED_NODE_FLAGS.join(' ')} --inspect, LOG_LEVEL=warn${Object.keys(options.bffEnv).length > 0 ? `, ${Object.entries(options.bffEnv).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}\n` +
        `  subscribers  ${options.subscribers} (churn ${options.churn * 100} % every 30 s, ${pool.failed} failed), ${deliveries} deliveries, ${deliveriesWithErrors} with errors; BFF: ${String(bffStats['eventsDelivered'])} delivered, ${String(bffStats['eventsConflated'])} conflated, ${String(bffStats['eventsDropped'])} dropped\n` +
        `  events       ${pusher.pushed} pushed (${burstResult.started} of them in the burst; ${pusher.failed} failed, ${events.skipped + burstResult.skipped} skipped) + the event generator's 1/s\n` +
        `  home         ${home.requests} queries, ${home.reqPerS.toFixed(1)}/s, p50 ${home.latencyMs.p50.toFixed(1)} ms, p99 ${home.latencyMs.p99.toFixed(1)} ms, ${home.non2xx} non-2xx, ${home.graphqlErrors} with errors, ${home.socketErrors} socket errors\n` +
        `  hostile      ${hostileSent} sent (${hostile.skipped} skipped):\n${hostileTable(outcomes)}\n` +
        `  BFF log      ${server.logLines()} lines at warn and above\n\n` +
        `${series.join('\n')}\n\n${memoryTable(moments, start, peaks.peak.rss)}\n\n${result.line}\n`,
    )
    process.exitCode = result.pass ? 0 : 1
  } finally {
    await server.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(2)
})
