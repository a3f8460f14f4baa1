import { request } from 'undici'
import type { Stack } from '../../helpers/stack.js'

/**
 * BFF env for these tests: the entity cache is off, because cache hits and
 * stale-if-error answers would hide the downstream calls whose policies are under test.
 */
export function resilienceEnv(env: Record<string, string> = {}): Record<string, string> {
  return { CACHE_ENABLED: 'false', ...env }
}

/** Structured log lines captured from the BFF's pino logger (house style: assert logs via the stream). */
export function captureLogs(level = 'info') {
  const lines: Record<string, unknown>[] = []
  const logger = { level, stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } }
  const decisions = (decision: string, service?: string) =>
    lines.filter((line) => line['decision'] === decision && (service === undefined || line['service'] === service))
  return { logger, lines, decisions }
}

export interface ServiceHealthBody {
  readonly breaker: string
  readonly errorRatio: number | null
  readonly inFlight: number
  readonly queued: number
  /** Calls allowed in flight now. */
  readonly limit: number
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null }
}

export interface ReadyBody {
  readonly status: string
  readonly downstreams: { readonly ready: boolean; readonly services: Record<string, ServiceHealthBody> }
}

export async function readiness(stack: Pick<Stack, 'bffUrl'>): Promise<{ status: number; body: ReadyBody }> {
  const response = await request(`${stack.bffUrl}/health/ready`)
  return { status: response.statusCode, body: (await response.body.json()) as ReadyBody }
}

export interface RecentRequest {
  readonly route: string
  readonly startedAt: number
  readonly endedAt: number | null
}

export async function recentRequests(url: string): Promise<readonly RecentRequest[]> {
  const response = await request(`${url}/__admin/requests`)
  return ((await response.body.json()) as { requests: RecentRequest[] }).requests
}

/** The most requests the mock had open at the same moment (sweep over start/end events). */
export function maxOverlap(requests: readonly RecentRequest[]): number {
  const events = requests.flatMap((r) => [
    { at: r.startedAt, delta: 1 },
    { at: r.endedAt ?? Number.POSITIVE_INFINITY, delta: -1 },
  ])
  // Ends sort before starts at the same instant: back-to-back requests do not overlap.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let open = 0
  let max = 0
  for (const event of events) {
    open += event.delta
    max = Math.max(max, open)
  }
  return max
}

/** Runs `task` for indexes 0..count-1 with at most `concurrency` at once. */
export async function inBatches<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      results[index] = await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return results
}
