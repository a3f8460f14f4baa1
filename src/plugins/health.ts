import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** One section of /health/ready (e.g. downstream breakers, cache, event log). */
export interface ReadinessCheck {
  /**
   * A JSON-safe report of states and numbers, never error text. `ready: false`
   * means the BFF cannot serve its core query; `degraded: true` means it can,
   * with less (e.g. cache bypassed).
   */
  (): Promise<ReadinessReport> | ReadinessReport
}

export interface ReadinessReport {
  readonly ready: boolean
  readonly degraded?: undefined | boolean
  readonly [detail: string]: unknown
}

export interface Readiness {
  /** Adds a named section; plugins register theirs at start-up. */
  register(name: string, check: ReadinessCheck): void
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness
  }
}

/**
 * Liveness says the process is up; readiness aggregates the sections features
 * register, answering 503 when any says the core query cannot be served.
 */
async function health(app: FastifyInstance): Promise<void> {
  const checks = new Map<string, ReadinessCheck>()
  app.decorate('readiness', {
    register(name: string, check: ReadinessCheck) {
      if (checks.has(name)) throw new TypeError(`readiness check "${name}" is already registered`)
      checks.set(name, check)
    },
  })

  app.get('/health/live', async () => ({ status: 'ok' }))

  app.get('/health/ready', async (_request, reply) => {
    const sections: Record<string, ReadinessReport> = {}
    let ready = true
    let degraded = false
    for (const [name, check] of checks) {
      const report = await check()
      sections[name] = report
      ready &&= report.ready
      degraded ||= report.degraded === true
    }
    const status = ready ? (degraded ? 'degraded' : 'ok') : 'unavailable'
    return reply.code(ready ? 200 : 503).send({ status, ...sections })
  })
}

export default fp(health, { name: 'health' })
