/**
 * `npm run build && node dist/bench/observability/metrics-cost.js`: the CPU that metrics add to
 * one uncached home query on the hot path, timed in-process (no servers, so the figure does
 * not move with the machine's load as much as bench:cpu does): one server-duration and one
 * operation-duration observation, one client-duration observation per downstream attempt, and
 * the edge's two (the operation's cost, its bucket's decision).
 */
import { createMetrics } from '../../src/telemetry/metrics.js'

const ATTEMPTS = ['users', 'orders', 'catalog', 'inventory', 'recommendations', 'notifications', 'catalog', 'inventory']
const QUERIES_PER_ROUND = 500_000
const ROUNDS = 5

const metrics = createMetrics({ maxOperationNames: 100 })
const meters = ATTEMPTS.map((service) => metrics.client(service))
const oneQuery = (): void => {
  metrics.httpRequest('POST', '/graphql', 200, 0.012)
  metrics.operation('query', 'Home', 'ok', 0.011)
  for (const meter of meters) meter.attempt('ok', 0.002)
  metrics.edge.priced(20)
  metrics.edge.decided(true, 'local')
}

for (let i = 0; i < 200_000; i += 1) oneQuery()
const nsPerQuery: number[] = []
for (let round = 0; round < ROUNDS; round += 1) {
  const before = process.cpuUsage()
  for (let i = 0; i < QUERIES_PER_ROUND; i += 1) oneQuery()
  const used = process.cpuUsage(before)
  nsPerQuery.push(((used.user + used.system) * 1_000) / QUERIES_PER_ROUND)
}
const sorted = [...nsPerQuery].sort((a, b) => a - b)
process.stdout.write(
  `metrics hot path: CPU ns per home query, ${ROUNDS} rounds: ${nsPerQuery.map((n) => n.toFixed(0)).join(' ')}; median ${(sorted[Math.floor(ROUNDS / 2)] ?? 0).toFixed(0)}\n`,
)
