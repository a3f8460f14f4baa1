import { join } from 'node:path'
import { shippedNodeFlags } from '../../scripts/node-flags.js'
import type { ServiceName } from '../../src/config/services.js'
import type { BenchOptions } from './bench-options.js'
import { authEnv, downstreamEnv } from './mocks-process.js'

/**
 * One load generator is one caller: the per-caller limiter stays on, since its
 * cost is part of what ships, with a rate no benchmark reaches.
 */
const UNREACHED_RATE_LIMIT = { RATE_LIMIT_BURST: '1000000000', RATE_LIMIT_POINTS_PER_SECOND: '1000000000' } as const

/**
 * The BFF's environment in the benchmark: its defaults for everything that
 * shapes performance (pools, timeouts, bulkheads, JIT), pointed at the mocks,
 * logging only warnings (per-request info logs would measure pino, not the
 * BFF). The entity cache is off unless asked for: the home benchmark measures the
 * fan-out, and with products cached neither the downstream call count nor
 * the critical path would mean what they say. REDIS_URL is left out: the
 * embedded default is what ships. Calls in flight per service are the
 * shipped adaptive limit (up to the pool's 64 connections); the benchmarks
 * once raised the fixed bulkhead of 25 to 64, which at 50 connections set the
 * latency and refused calls (p50 ÷ critical path 2.03 at 25, 1.10 at 64;
 * docs/benchmarks.md).
 */
export function bffEnv(urls: Readonly<Record<ServiceName, string>>, options: Pick<BenchOptions, 'auth' | 'cache' | 'bffEnv'>, authUrl: string): Record<string, string> {
  return {
    ...downstreamEnv(urls),
    ...authEnv(options.auth ? authUrl : null),
    LOG_LEVEL: 'warn',
    GRAPHIQL_ENABLED: 'false',
    ...(options.cache ? {} : { CACHE_ENABLED: 'false' }),
    ...UNREACHED_RATE_LIMIT,
    ...options.bffEnv,
  }
}

/** What differs from the BFF's defaults, for the report. */
export function describeBffEnv(options: BenchOptions): string {
  const changes = [options.auth ? 'auth on (a real admin token on every request)' : 'AUTH_DISABLED=true', options.cache ? 'entity cache on' : 'CACHE_ENABLED=false', ...Object.entries(options.bffEnv).map(([k, v]) => `${k}=${v}`)]
  return `BFF: LOG_LEVEL=warn, ${changes.join(', ')}, other settings at their defaults`
}

/**
 * The V8 flags `npm start` runs the BFF with (package.json `config.nodeFlags`,
 * read by scripts/node-flags.ts). Every server the benchmarks start gets them,
 * the hand-written baseline included, so a comparison measures the code, not
 * the heap sizing.
 *
 * - `--max-semi-space-size=16`: young-generation semi-spaces of at most 16 MB,
 *   pinned so they do not depend on the heap limit V8 derives. 64 MB let the
 *   objects of ~50 queued requests die young and cut CPU per uncached query by
 *   a tenth or so, but its scavenges took 7 ms against 2–3 ms, which set the
 *   warm cache's p99 at equal load (30–38 vs 15–17 ms, docs/benchmarks.md).
 * - `--no-allocation-site-pretenuring`: under a burst (50 connections queueing)
 *   most per-request objects outlive a scavenge, so V8 decides to allocate
 *   them in the old generation from then on, and keeps to it when the load
 *   eases. Each such object then holds its young neighbours through the next
 *   scavenge: 14 % of a warm query's allocation was promoted, and scavenges
 *   took 25–30 ms, the whole p99 tail at equal load. Without it: 3.7 % and
 *   ~13 ms (docs/benchmarks.md, "Where the tail came from").
 * - `--no-memory-reducer`: once a process goes quiet, V8's memory reducer
 *   collects to shrink its heap, and the first seconds of load after that
 *   cost far more CPU per query while the heap grows back (docs/benchmarks.md,
 *   "After an idle spell"). The price is the idle heap kept, not a leak: a
 *   full GC still returns it.
 */
export const SHIPPED_NODE_FLAGS: readonly string[] = shippedNodeFlags()

/** Node flags given as one space-separated string (`--node-args`, a variant's `NODE_ARGS`); none for undefined. */
export function nodeFlagsOf(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(' ').filter((flag) => flag !== '')
}

/** `node --cpu-prof` flags writing into `<profileDir>/<name>/` (on a graceful exit only), or none. */
export function profileArgs(profileDir: string | null, name: string): readonly string[] {
  return profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`]
}
