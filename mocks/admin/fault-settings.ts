/** Injected-fault settings for one mock service (see mocks/API.md, "Admin surface"). */

/** Fixed latency, or uniform in [min, max], in ms. */
export type LatencyMs = number | readonly [min: number, max: number]

export type ErrorStatus = 500 | 502 | 503

/** Any subset of the fault knobs; omitted ones keep their current value. */
export interface FaultSettings {
  /** Delay before answering, in ms; `[min, max]` draws uniformly per request. @default 0 */
  readonly latencyMs?: undefined | LatencyMs
  /** Share of requests answered `errorStatus` with `{"error":"injected_fault"}`, 0..1. @default 0 */
  readonly errorRate?: undefined | number
  /** Status used by `errorRate`. @default 500 */
  readonly errorStatus?: undefined | ErrorStatus
  /** Share of requests never answered until the client leaves or the mock closes, 0..1. @default 0 */
  readonly hangRate?: undefined | number
}

export type ActiveFaults = { readonly [K in keyof FaultSettings]-?: Exclude<FaultSettings[K], undefined> }

export const NO_FAULTS: ActiveFaults = Object.freeze({ latencyMs: 0, errorRate: 0, errorStatus: 500, hangRate: 0 })

/** Ten minutes: longer than any client timeout, short enough to catch a seconds/ms mix-up. */
export const MAX_LATENCY_MS = 600_000

const ERROR_STATUSES: ReadonlySet<unknown> = new Set([500, 502, 503])

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_LATENCY_MS
const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string }

/** Validates untrusted fault settings (an admin request body, a factory option). */
export function parseFaultSettings(value: unknown): Parsed<FaultSettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'faults must be an object' }
  }
  const settings: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = {}
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue
    switch (key) {
      case 'latencyMs':
        if (isMs(v)) settings.latencyMs = v
        else if (Array.isArray(v) && v.length === 2 && isMs(v[0]) && isMs(v[1]) && v[0] <= v[1]) settings.latencyMs = [v[0], v[1]]
        else return { ok: false, message: `latencyMs must be 0..${MAX_LATENCY_MS} or [min, max] with min <= max, got ${JSON.stringify(v)}` }
        break
      case 'errorRate':
      case 'hangRate':
        if (!isRate(v)) return { ok: false, message: `${key} must be a number in 0..1, got ${JSON.stringify(v)}` }
        settings[key] = v
        break
      case 'errorStatus':
        if (!ERROR_STATUSES.has(v)) return { ok: false, message: `errorStatus must be 500, 502 or 503, got ${JSON.stringify(v)}` }
        settings.errorStatus = v as ErrorStatus
        break
      default:
        return { ok: false, message: `unknown fault setting "${key}"` }
    }
  }
  return { ok: true, value: settings }
}

export function mergeFaults(base: ActiveFaults, patch: FaultSettings): ActiveFaults {
  return {
    latencyMs: patch.latencyMs ?? base.latencyMs,
    errorRate: patch.errorRate ?? base.errorRate,
    errorStatus: patch.errorStatus ?? base.errorStatus,
    hangRate: patch.hangRate ?? base.hangRate,
  }
}

/** The delay for one request, in ms. */
export function drawLatency(latency: LatencyMs, random: () => number): number {
  if (typeof latency === 'number') return latency
  const [min, max] = latency
  return min + random() * (max - min)
}
