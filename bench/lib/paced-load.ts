import { Pool } from 'undici'
import { homeRequestBody, userIdAt } from './home-query.js'
import type { LoadResult } from './load-result.js'

export interface PacedLoadOptions {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  readonly ratePerS: number
  readonly durationS: number
  /** Sockets to the server; more than the requests that can be in flight at once. */
  readonly connections: number
  /**
   * Position in the user sequence (`userIdAt`) of the first request. A run that
   * follows another passes the requests sent so far, so every user keeps
   * coming back every USER_COUNT / rate seconds across runs. @default 0
   */
  readonly firstRequest?: undefined | number
}

/** A paced run's result plus every latency it measured, so runs can be pooled. */
export interface PacedResult extends LoadResult {
  /** Ascending, ms. */
  readonly latenciesMs: readonly number[]
}

/** The q-quantile (0..1) of ascending values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

function latencySummary(sorted: readonly number[]): LoadResult['latencyMs'] {
  return { p50: quantile(sorted, 0.5), p97_5: quantile(sorted, 0.975), p99: quantile(sorted, 0.99) }
}

/**
 * Open-loop load: home queries sent at evenly spaced instants, whatever the
 * answers' pace, and each latency measured from its planned send time (so a
 * stalled sender counts against the server, not for it: no coordinated
 * omission). Not autocannon's `overallRate`, which sends each second's quota
 * in a burst at the start of the second and so measures a queue of its own
 * making.
 */
export async function runPaced(options: PacedLoadOptions): Promise<PacedResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 })
  const intervalMs = 1_000 / options.ratePerS
  const total = Math.round(options.ratePerS * options.durationS)
  const latencies: number[] = []
  let non2xx = 0
  let socketErrors = 0
  let graphqlErrors = 0
  const inFlight = new Set<Promise<void>>()
  const started = performance.now()

  const first = options.firstRequest ?? 0
  const send = (n: number, plannedAt: number): void => {
    const request = pool
      .request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: homeRequestBody(userIdAt(first + n)),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      })
      .then(async (response) => {
        const body = await response.body.text()
        latencies.push(performance.now() - plannedAt)
        if (response.statusCode !== 200) non2xx += 1
        else if (body.includes('"errors"')) graphqlErrors += 1
      })
      .catch(() => {
        socketErrors += 1
      })
      .finally(() => inFlight.delete(request))
    inFlight.add(request)
  }

  let next = 0
  while (next < total) {
    const now = performance.now()
    // Everything whose instant has come, so a late timer does not thin the load out.
    while (next < total && started + next * intervalMs <= now) {
      send(next, started + next * intervalMs)
      next += 1
    }
    const wait = started + next * intervalMs - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
  await Promise.all(inFlight)
  const durationS = (performance.now() - started) / 1_000
  await pool.close()
  const sorted = latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length + socketErrors,
    durationS,
    reqPerS: latencies.length / durationS,
    latencyMs: latencySummary(sorted),
    non2xx,
    socketErrors,
    graphqlErrors,
    generator: `paced open loop, ${options.ratePerS} req/s over up to ${options.connections} connections (in the bench process)`,
    latenciesMs: sorted,
  }
}

/**
 * Several paced runs as one: latency quantiles over all their samples (not a
 * median of per-run p99s, which would hide the worst run), rates and error
 * counts summed.
 */
export function poolPaced(runs: readonly PacedResult[]): PacedResult {
  const sorted = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b)
  const durationS = runs.reduce((sum, run) => sum + run.durationS, 0)
  const sum = (pick: (run: PacedResult) => number): number => runs.reduce((total, run) => total + pick(run), 0)
  return {
    requests: sum((run) => run.requests),
    durationS,
    reqPerS: sorted.length / durationS,
    latencyMs: latencySummary(sorted),
    non2xx: sum((run) => run.non2xx),
    socketErrors: sum((run) => run.socketErrors),
    graphqlErrors: sum((run) => run.graphqlErrors),
    generator: `${runs.length} × ${runs[0]?.generator ?? 'paced open loop'}, pooled`,
    latenciesMs: sorted,
  }
}
