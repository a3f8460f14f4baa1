import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TelemetryConfig } from '../config/load-config.js'
import { createMetrics, NO_METRICS, type Metrics } from '../telemetry/metrics.js'
import type { RequestSpans } from '../telemetry/request-spans.js'
import type { Tracing } from '../telemetry/tracing.js'
import { registerCollectedMetrics } from './telemetry-collectors.js'

export interface Telemetry {
  readonly metrics: Metrics
  readonly tracing: Tracing
  readonly spans: RequestSpans
}

declare module 'fastify' {
  interface FastifyInstance {
    telemetry: Telemetry
  }
}

export interface TelemetryPluginOptions {
  readonly settings: TelemetryConfig
  /** Started by buildApp before fastify (the request logger binds the trace ids). */
  readonly tracing: Tracing
  readonly spans: RequestSpans
}

/**
 * Prometheus metrics at GET /metrics and the end of each request's server
 * span. What the other plugins already count (breakers, bulkheads, cache,
 * subscriptions) is read at scrape time, from the same objects /health/ready
 * reads, so the two never disagree; only durations are recorded as they happen.
 */
async function telemetry(app: FastifyInstance, options: TelemetryPluginOptions): Promise<void> {
  const { settings, tracing, spans } = options
  const metrics = settings.metrics.enabled ? createMetrics({ maxOperationNames: settings.metrics.maxOperationNames }) : NO_METRICS
  app.decorate('telemetry', { metrics, tracing, spans })

  if (metrics.enabled || tracing.enabled) {
    // A callback hook, not an async one: no promise per request for work that never waits.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.httpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1_000)
      if (tracing.enabled) spans.end(request.raw, reply.statusCode)
      done()
    })
  }
  if (tracing.enabled) {
    app.addHook('onRequestAbort', async (request) => spans.end(request.raw, 499))
  }
  app.addHook('onClose', async () => tracing.shutdown())
  if (!metrics.enabled) return

  // Every plugin has registered by now: read their counters.
  app.addHook('onReady', async () => registerCollectedMetrics(app, metrics))
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).header('cache-control', 'no-store').send(await metrics.render()))
}

export default fp(telemetry, { name: 'telemetry' })
