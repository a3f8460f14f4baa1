import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { EdgeConfig } from '../config/load-config.js'
import { createOperationGate, type OperationGate } from '../edge/operation-gate.js'
import { createRateLimiter } from '../edge/rate-limiter.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Prices each operation and charges its caller, before anything runs (edge/operation-gate.ts). */
    edge: OperationGate
  }
}

export interface EdgePluginOptions {
  readonly settings: EdgeConfig
}

/**
 * The cost limit and the per-caller token buckets, shared by HTTP and
 * websockets. The buckets live in the cache's Redis when there is one (every
 * instance charges the same bucket), in process otherwise; /health/ready
 * reports `degraded` while Redis is bypassed.
 */
async function edge(app: FastifyInstance, options: EdgePluginOptions): Promise<void> {
  const { settings } = options
  const log = app.log.child({ component: 'rate-limit' })
  const limiter = settings.rateLimit.enabled
    ? createRateLimiter({
        config: settings.rateLimit,
        redis: app.redis,
        onStoreChange(degraded, err) {
          if (degraded) log.warn({ err }, 'rate limit store unreachable; each instance limits with its share until it answers')
          else log.info('rate limit store answering again')
        },
      })
    : null
  const { metrics } = app.telemetry
  app.decorate(
    'edge',
    createOperationGate({ maxCost: settings.maxCost, limiter, meter: metrics.enabled ? metrics.edge : undefined, maxWaitingCallers: settings.rateLimit.maxBuckets }),
  )
  if (limiter !== null) app.readiness.register('rateLimit', () => ({ ready: true, ...limiter.status() }))
}

export default fp(edge, { name: 'edge', dependencies: ['health', 'redis', 'telemetry'] })
