import { parseArgs } from 'node:util'

export type BenchMode = 'latency' | 'cpu'

export interface BenchOptions {
  readonly mode: BenchMode
  /** Measured seconds per run (latency mode) or per round and server (cpu mode). */
  readonly durationS: number
  readonly connections: number
  /** Seconds of load before measuring, per server: JIT, pools and caches warm up. */
  readonly warmupS: number
  /** cpu mode: interleaved BFF/baseline rounds; the report takes medians. */
  readonly rounds: number
  /** Directory for `node --cpu-prof` profiles of the servers, or null for none. */
  readonly profileDir: string | null
  /** Keep the BFF's entity cache on (its defaults); off by default so every query fans out. */
  readonly cache: boolean
  /** Extra BFF environment, e.g. DOWNSTREAM_CONCURRENCY=fixed, for what-if runs. */
  readonly bffEnv: Readonly<Record<string, string>>
  /**
   * cpu mode: the servers under test on core 0 (`taskset -c 0`), mocks and
   * load generator on core 1, 3 rounds by default, and the warm-cache BFF
   * measured beside the uncached one (plus, when REDIS_URL is set, Redis + L1 and the embedded store with
   * the event log on Redis).
   */
  readonly pin: boolean
  /** Verify a real bearer token on every request (BFF and baseline alike); off: AUTH_DISABLED=true. */
  readonly auth: boolean
  /**
   * cpu mode: more BFFs measured in the same interleaved rounds, each the
   * first with this extra environment (e.g. METRICS_ENABLED=false), reported
   * also as a ratio to the first BFF round by round. Replaces --pin's warm variants.
   */
  readonly variants: readonly Readonly<Record<string, string>>[]
  /**
   * cpu mode: also measure the first BFF answering `{ __typename }` in the
   * same rounds: the fixed cost of a request (HTTP, identity, the edge,
   * metrics) that no resolver or cache can take away.
   */
  readonly floor: boolean
}

export const USAGE = `Usage: npm run bench -- [flags]        (npm run bench:cpu = --mode cpu)

  --mode latency|cpu   latency: mocks at 20–50 ms, autocannon in-process, p50 vs critical path (default)
                       cpu: mocks at 1 ms, wrk in a separate process, BFF vs hand-written baseline
  --duration <s>       measured seconds (latency: 20; cpu: 10 per round and server)
  --connections <n>    concurrent connections (default 50)
  --warmup <s>         warm-up seconds per server before measuring (default 5)
  --rounds <n>         cpu mode: interleaved rounds, medians reported (default 5)
  --profile <dir>      run the servers under node --cpu-prof, profiles written to <dir>
  --cache              leave the BFF's entity cache on (default: CACHE_ENABLED=false, every query fans out)
  --pin                cpu mode: servers under test pinned to core 0, mocks and load on core 1; adds the
                       warm-cache BFF (embedded store; with REDIS_URL set also Redis + L1, and the embedded
                       store hearing the event log on Redis, CACHE_STORE=memory); 3 rounds
  --no-auth            run the BFF with AUTH_DISABLED=true and send no token (default: every request carries
                       a real admin token from the mocks' identity provider, verified by the BFF and the baseline)
  --env KEY=VALUE      extra server environment for what-if runs, repeatable (cpu mode: the baseline
                       gets it too; it reads only NODE_OPTIONS among them)
  --variant K=V[,K=V]  cpu mode: one more BFF with this extra environment, in the same interleaved rounds,
                       with its CPU per request ÷ the first BFF's, round by round; repeatable. NODE_ARGS=
                       '--flag --flag' gives that BFF node flags (after the shipped ones) instead of env
  --floor              cpu mode: also measure the first BFF answering { __typename } (same headers and
                       token): what a request costs before any field is resolved
`

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} must be a positive integer, got "${text}"`)
  return value
}

/** `KEY=VALUE` as a pair; `flag` names the option in the error. */
export function keyValue(text: string, flag = 'env'): [string, string] {
  const eq = text.indexOf('=')
  if (eq < 1) throw new Error(`--${flag} needs KEY=VALUE, got "${text}"`)
  return [text.slice(0, eq), text.slice(eq + 1)]
}

/** Reads the flags; returns null for --help. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      mode: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'string' },
      cache: { type: 'boolean' },
      'no-auth': { type: 'boolean' },
      env: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      pin: { type: 'boolean' },
      floor: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) return null
  const mode = values.mode ?? 'latency'
  if (mode !== 'latency' && mode !== 'cpu') throw new Error(`--mode must be latency or cpu, got "${mode}"`)
  const options: BenchOptions = {
    mode,
    durationS: positive(values.duration, mode === 'latency' ? 20 : 10, 'duration'),
    connections: positive(values.connections, 50, 'connections'),
    warmupS: positive(values.warmup, 5, 'warmup'),
    rounds: positive(values.rounds, values.pin === true ? 3 : 5, 'rounds'),
    profileDir: values.profile ?? null,
    cache: values.cache === true,
    auth: values['no-auth'] !== true,
    bffEnv: Object.fromEntries((values.env ?? []).map((pair) => keyValue(pair))),
    pin: values.pin === true,
    variants: (values.variant ?? []).map((text) => Object.fromEntries(text.split(',').map((pair) => keyValue(pair, 'variant')))),
    floor: values.floor === true,
  }
  if (options.floor && mode !== 'cpu') throw new Error('--floor needs --mode cpu')
  if (options.variants.length > 0 && mode !== 'cpu') throw new Error('--variant needs --mode cpu')
  if (options.pin && mode !== 'cpu') throw new Error('--pin needs --mode cpu (npm run bench:cpu -- --pin)')
  return options
}
