import { parseArgs } from 'node:util'

export interface SoakOptions {
  /** Whole run, boot excluded: warm-up, load, closing and settling. */
  readonly minutes: number
  readonly subscribers: number
  /** Live changes made through the mocks per second (each reaches several subscribers). */
  readonly eventRatePerS: number
  readonly homeRatePerS: number
  readonly hostileRatePerS: number
  /** A burst that ends the load: changes per second to the product every stock subscriber watches, and for how long. */
  readonly burstRatePerS: number
  readonly burstS: number
  /** Share of the subscribers closed and replaced every 30 s of load. */
  readonly churn: number
  /** Seconds left alone after every socket closed, before the last reading. */
  readonly settleS: number
  /** Directory for heap snapshots at start, under load and end, or null for none. */
  readonly snapshotDir: string | null
  readonly bffEnv: Readonly<Record<string, string>>
}

export const USAGE = `Usage: npm run bench:soak -- [flags]

  --minutes <n>        whole run, boot excluded (default 10): warm-up, load, close, settle
  --quick              a short run for iterating: 2 minutes, 200 subscribers, 20 s burst, 30 s settle
  --subscribers <n>    websocket subscribers during the load (default 1000)
  --event-rate <n>     live changes per second through the mocks (default 10)
  --home-rate <n>      home queries per second (default 20)
  --hostile-rate <n>   hostile requests per second (default 4)
  --burst-rate <n>     over the last seconds of the load, changes per second to the one product every
                       stock subscriber watches (6 in 10 subscribers) (default 2)
  --burst <s>          seconds the burst lasts, ending the load; 0 for none (default 60; --quick 20)
  --churn <0..1>       share of subscribers replaced every 30 s (default 0.1)
  --settle <s>         seconds left alone after the sockets closed (default: a fifth of the run, 20..180)
  --snapshots <dir>    write heap snapshots (start, under load, end) into <dir>; large, slow, and
                       they add RSS of their own (the heap figures stay valid)
  --env KEY=VALUE      extra BFF environment, repeatable
`

function number(text: string | undefined, fallback: number, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} must be a number in ${min}..${max}, got "${text}"`)
  return value
}

function keyValue(text: string): [string, string] {
  const eq = text.indexOf('=')
  if (eq < 1) throw new Error(`--env needs KEY=VALUE, got "${text}"`)
  return [text.slice(0, eq), text.slice(eq + 1)]
}

/** Reads the flags; null for --help. */
export function parseSoakOptions(argv: readonly string[]): SoakOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      minutes: { type: 'string' },
      quick: { type: 'boolean' },
      subscribers: { type: 'string' },
      'event-rate': { type: 'string' },
      'home-rate': { type: 'string' },
      'hostile-rate': { type: 'string' },
      'burst-rate': { type: 'string' },
      burst: { type: 'string' },
      churn: { type: 'string' },
      settle: { type: 'string' },
      snapshots: { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) return null
  const quick = values.quick === true
  const minutes = number(values.minutes, quick ? 2 : 10, 'minutes', 1, 600)
  return {
    minutes,
    subscribers: Math.round(number(values.subscribers, quick ? 200 : 1_000, 'subscribers', 1, 20_000)),
    eventRatePerS: number(values['event-rate'], 10, 'event-rate', 0.1, 1_000),
    homeRatePerS: number(values['home-rate'], 20, 'home-rate', 0.1, 1_000),
    hostileRatePerS: number(values['hostile-rate'], 4, 'hostile-rate', 0.1, 100),
    burstRatePerS: number(values['burst-rate'], 2, 'burst-rate', 0.1, 1_000),
    burstS: number(values.burst, quick ? 20 : 60, 'burst', 0, 3_600),
    churn: number(values.churn, 0.1, 'churn', 0, 1),
    settleS: number(values.settle, quick ? 30 : Math.min(180, Math.max(20, minutes * 12)), 'settle', 0, 3_600),
    snapshotDir: values.snapshots ?? null,
    bffEnv: Object.fromEntries((values.env ?? []).map(keyValue)),
  }
}
