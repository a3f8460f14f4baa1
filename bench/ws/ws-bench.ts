/**
 * `npm run bench:ws`: one BFF instance in its own process, N websocket
 * subscribers in this one, stock changes published through the inventory mock
 * (another process) at a fixed rate, over Redis Streams. Reports
 * publish→receive latency, RSS per idle subscriber, lost events.
 *
 *   --subscribers <n>   websocket connections, one subscription each (default 10000)
 *   --products <n>      distinct products watched; each event reaches subscribers/products clients (default 1000)
 *   --rate <n>          events per second (default 100)
 *   --seconds <n>       publishing time measured (default 30)
 *   --warmup <n>        publishing time before it, not in the latency figures (default 5): JIT, pools, caches
 *   --batch <n>         connections opened at once (default 250)
 *   --nested            select product { name stock } too (two downstream calls per delivery)
 *   --log memory        mocks inside the BFF process on the in-process log (embedded default) instead
 *   --keep-alive-ms <n> the BFF's websocket ping period (default 12000, its default)
 *   --env KEY=VALUE     extra BFF configuration, repeatable (e.g. --env CACHE_ENABLED=false)
 *   --dump <file>       write "ms since first publish, latency ms" per delivery (to see stalls over time)
 */
import { writeFile } from 'node:fs/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { forkServer, startRedis } from './ws-bench-children.js'
import { openSubscribers } from './ws-subscribers.js'

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000' },
    products: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    batch: { type: 'string', default: '250' },
    nested: { type: 'boolean', default: false },
    log: { type: 'string', default: 'redis' },
    'keep-alive-ms': { type: 'string', default: '12000' },
    env: { type: 'string', multiple: true, default: [] },
    dump: { type: 'string' },
  },
})
const positive = (name: string, text: string, min = 1): number => {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`)
  return value
}
const subscribers = positive('subscribers', values.subscribers)
const products = Math.min(positive('products', values.products), subscribers)
const rate = positive('rate', values.rate)
const seconds = positive('seconds', values.seconds)
const warmup = positive('warmup', values.warmup, 0)
const batch = positive('batch', values.batch)
const keepAliveMs = positive('keep-alive-ms', values['keep-alive-ms'], 0)
if (values.log !== 'redis' && values.log !== 'memory') throw new Error(`--log must be redis or memory, got ${values.log}`)
const selection = values.nested ? 'eventId occurredAt product { name stock }' : 'eventId occurredAt'

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1)
const fixed = (n: number, digits = 1): number => Number(n.toFixed(digits))

async function main(): Promise<void> {
  const redis = values.log === 'redis' ? await startRedis() : null
  const mocks = redis === null ? null : await forkServer('mocks', redis.url)
  const extraEnv = Object.fromEntries(values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
  const bffEnv = {
    ...extraEnv,
    SUBSCRIPTION_KEEP_ALIVE_MS: String(keepAliveMs),
    ...(redis === null ? {} : { REDIS_URL: redis.url }),
    ...Object.fromEntries(Object.entries(mocks?.serviceUrls ?? {}).map(([name, url]) => [`${name.toUpperCase()}_URL`, url])),
  }
  const bff = await forkServer('bff', redis === null ? 'memory' : 'redis', JSON.stringify(bffEnv))
  const wsUrl = bff.wsUrl ?? ''
  const inventoryUrl = (mocks ?? bff).serviceUrls['inventory'] ?? ''
  const inventory = new Pool(inventoryUrl, { connections: 8 })
  await delay(1_000)
  const base = await bff.stats()

  const sentAt: number[][] = Array.from({ length: products }, () => [])
  const openedAt = performance.now()
  const pool = await openSubscribers({ wsUrl, subscribers, products, batch, selection, sentAt })
  const deadline = Date.now() + 60_000
  while (((await bff.stats(false)).subscriptions?.subscriptions ?? 0) < pool.connected && Date.now() < deadline) await delay(200)
  const openSeconds = (performance.now() - openedAt) / 1_000
  await delay(2_000)
  const idle = await bff.stats()

  const clientLoop = monitorEventLoopDelay({ resolution: 10 })
  const published = new Array<number>(products).fill(0)
  const total = rate * (warmup + seconds)
  const start = performance.now()
  const measuredFrom = start + warmup * 1_000
  let errors = 0
  let idleAtStart = idle
  for (let k = 0; k < total; k += 1) {
    const wait = start + (k * 1_000) / rate - performance.now()
    if (wait > 0) await delay(wait)
    if (k === rate * warmup) {
      // The measured window starts: CPU, GC and loop-delay figures cover it only.
      clientLoop.enable()
      idleAtStart = await bff.stats(false)
    }
    const product = k % products
    sentAt[product]?.push(performance.now())
    published[product] = (published[product] ?? 0) + 1
    inventory
      .request({ method: 'PUT', path: `/inventory/${product + 1}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stock: k % 1_000 }) })
      .then((response) => response.body.dump())
      .catch(() => (errors += 1))
  }
  const publishSeconds = (performance.now() - measuredFrom) / 1_000
  const expected = pool.expected(published)
  const drainDeadline = Date.now() + 10_000
  while (pool.delivered < expected && Date.now() < drainDeadline) await delay(100)
  const after = await bff.stats()
  const measured = pool.latencies.filter((_, i) => (pool.publishedAt[i] ?? 0) >= measuredFrom)

  if (values.dump !== undefined) {
    const lines = pool.latencies.map((latency, i) => `${((pool.publishedAt[i] ?? 0) - start).toFixed(1)},${latency.toFixed(1)}`)
    await writeFile(values.dump, `${lines.join('\n')}\n`)
  }
  const sorted = measured.sort((a, b) => a - b)
  const report = {
    subscribers,
    connected: pool.connected,
    connectFailures: pool.failed,
    serverSubscriptions: idle.subscriptions?.subscriptions ?? 0,
    openSeconds: fixed(openSeconds),
    log: values.log,
    products,
    selection,
    rate,
    seconds,
    warmupSeconds: warmup,
    published: total,
    publishErrors: errors,
    deliveriesExpected: expected,
    delivered: pool.delivered,
    lost: expected - pool.delivered,
    duplicates: pool.duplicates,
    deliveriesWithErrors: pool.withErrors,
    conflated: after.subscriptions?.eventsConflated ?? 0,
    dropped: after.subscriptions?.eventsDropped ?? 0,
    latencyMs: { p50: fixed(percentile(sorted, 0.5)), p90: fixed(percentile(sorted, 0.9)), p99: fixed(percentile(sorted, 0.99)), max: fixed(sorted.at(-1) ?? Number.NaN) },
    rssMb: { base: mb(base.rssBytes), idle: mb(idle.rssBytes), afterRun: mb(after.rssBytes) },
    heapUsedMb: { base: mb(base.heapUsedBytes), idle: mb(idle.heapUsedBytes), afterRun: mb(after.heapUsedBytes) },
    heapTotalMb: { base: mb(base.heapTotalBytes), idle: mb(idle.heapTotalBytes), afterRun: mb(after.heapTotalBytes) },
    externalMb: { base: mb(base.externalBytes), idle: mb(idle.externalBytes), afterRun: mb(after.externalBytes) },
    rssKbPerIdleSubscriber: fixed((idle.rssBytes - base.rssBytes) / 1_024 / Math.max(1, pool.connected)),
    heapKbPerIdleSubscriber: fixed((idle.heapUsedBytes - base.heapUsedBytes) / 1_024 / Math.max(1, pool.connected)),
    serverCpuCoresDuringPublish: fixed((after.cpuMicros - idleAtStart.cpuMicros) / 1e6 / publishSeconds, 2),
    loopDelayMs: {
      server: { p99: fixed(after.loopDelayMs.p99), max: fixed(after.loopDelayMs.max) },
      benchClient: { p99: fixed(clientLoop.percentile(99) / 1e6), max: fixed(clientLoop.max / 1e6) },
    },
    serverGc: { pauses: after.gc.count, totalMs: fixed(after.gc.totalMs, 0), maxMs: fixed(after.gc.maxMs) },
  }
  const l = report.latencyMs
  process.stdout.write(
    `\nws bench: ${pool.connected}/${subscribers} subscribers (opened in ${report.openSeconds} s), ${rate} events/s for ${warmup} + ${seconds} s over ${products} products, ${values.log} log, selection { ${selection} }\n` +
      `  latency ms   p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}\n` +
      `  deliveries   expected ${expected}  received ${pool.delivered}  lost ${report.lost}  duplicates ${pool.duplicates}  conflated ${report.conflated}  with errors ${pool.withErrors}\n` +
      `  BFF RSS MB   base ${report.rssMb.base}  idle with subscribers ${report.rssMb.idle}  after run ${report.rssMb.afterRun}  => ${report.rssKbPerIdleSubscriber} KB per idle subscriber (heap ${report.heapKbPerIdleSubscriber} KB; heap MB ${report.heapUsedMb.base} / ${report.heapUsedMb.idle} / ${report.heapUsedMb.afterRun}; committed heap MB ${report.heapTotalMb.base} / ${report.heapTotalMb.idle} / ${report.heapTotalMb.afterRun}; external MB ${report.externalMb.base} / ${report.externalMb.idle} / ${report.externalMb.afterRun})\n` +
      `  BFF CPU      ${report.serverCpuCoresDuringPublish} cores while publishing; GC ${report.serverGc.pauses} pauses, ${report.serverGc.totalMs} ms, longest ${report.serverGc.maxMs} ms\n` +
      `  loop delay   p99/max ms: BFF ${report.loopDelayMs.server.p99}/${report.loopDelayMs.server.max}, bench client ${report.loopDelayMs.benchClient.p99}/${report.loopDelayMs.benchClient.max}\n\n` +
      `${JSON.stringify(report)}\n`,
  )
  pool.dispose()
  await inventory.close()
  await bff.stop()
  await mocks?.stop()
  redis?.stop()
}

main().catch((error: unknown) => {
  process.stderr.write(`ws-bench: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
