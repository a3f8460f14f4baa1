import type { FastifyInstance } from 'fastify'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** One second of the instance as the dashboard shows it; counts are cumulative (the page takes differences). */
export interface DashboardSnapshot {
  readonly instance: string
  /** Epoch ms. */
  readonly at: number
  readonly services: Readonly<Record<string, ServiceTile>>
  readonly cache: Readonly<Record<string, { readonly hits: number; readonly misses: number; readonly stale: number; readonly errors: number }>>
  readonly cacheBreaker: string | null
  readonly subscriptions: { readonly connections: number; readonly active: number; readonly delivered: number; readonly dropped: number; readonly lagMs: number | null }
  /** Share of one core over the last interval, 0..1+. */
  readonly cpu: number
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number }
}

export interface ServiceTile {
  readonly breaker: string
  readonly attempts: number
  readonly failures: number
  readonly p50: number | null
  readonly p99: number | null
  readonly inFlight: number
  readonly queued: number
  readonly retries: number
  readonly retriesInFlight: number
  readonly retryLimit: number
  readonly budgetRefusals: number
}

export interface SnapshotSource {
  take(): DashboardSnapshot
  stop(): void
}

/** Reads the same objects /health/ready and /metrics read; CPU and loop delay are measured between takes. */
export function createSnapshotSource(app: FastifyInstance, instance: string): SnapshotSource {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let lastCpu = process.cpuUsage()
  let lastAt = performance.now()
  return {
    take() {
      const now = performance.now()
      const cpu = process.cpuUsage(lastCpu)
      const cpuShare = (cpu.user + cpu.system) / 1_000 / Math.max(1, now - lastAt)
      lastCpu = process.cpuUsage()
      lastAt = now
      const delay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6 }
      loop.reset()
      const services: Record<string, ServiceTile> = {}
      for (const [name, policy] of Object.entries(app.downstreams.policies)) {
        const health = policy.health()
        const { attempts } = policy.counts
        const budget = policy.retryBudget.snapshot()
        services[name] = {
          breaker: health.breaker,
          attempts: Object.values(attempts).reduce((sum, n) => sum + n, 0),
          failures: attempts.error + attempts.timeout + attempts.circuit_open + attempts.overloaded,
          p50: health.latencyMs.p50,
          p99: health.latencyMs.p99,
          inFlight: health.inFlight,
          queued: health.queued,
          retries: policy.counts.retries,
          retriesInFlight: budget.retriesInFlight,
          retryLimit: budget.limit,
          budgetRefusals: policy.counts.budgetRefusals,
        }
      }
      const cache = Object.fromEntries(
        Object.entries(app.cacheStats.counters()).map(([resource, c]) => [resource, { hits: c.hits, misses: c.misses, stale: c.staleServed, errors: c.errors }]),
      )
      const subs = app.subscriptions.stats()
      return {
        instance,
        at: Date.now(),
        services,
        cache,
        cacheBreaker: app.cacheStats.breakerState(),
        subscriptions: {
          connections: subs.connections,
          active: subs.subscriptions,
          delivered: subs.eventsDelivered,
          dropped: subs.eventsDropped,
          lagMs: subs.lastLagMs,
        },
        cpu: Math.round(cpuShare * 1_000) / 1_000,
        eventLoopDelayMs: { p50: Math.round(delay.p50 * 10) / 10, p99: Math.round(delay.p99 * 10) / 10 },
      }
    },
    stop: () => loop.disable(),
  }
}
