import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { setTimeout as delay } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { buildApp, type AppOptions } from './app.js'
import { loadConfig, type Config } from './config/load-config.js'

/**
 * The only place that listens. Returns the running app so start-all can run
 * the BFF beside the mocks in one process.
 */
export async function startServer(config: Config, options: AppOptions = {}) {
  const app = await buildApp(config, options)
  await app.listen({ host: config.server.host, port: config.server.port })
  return app
}

/**
 * Longest a stop can take: the shutdown delay, then websocket event drain and
 * close handshakes (each up to SUBSCRIPTION_DRAIN_TIMEOUT_MS), requests in
 * flight (each ends by its deadline), and 5 s for pools, Redis and the event
 * log to close on a busy machine. Past it close-with-grace exits with 1.
 * Orchestrators must wait longer than this before SIGKILL (Kubernetes'
 * terminationGracePeriodSeconds).
 */
export function shutdownBudgetMs(config: Config): number {
  return config.server.shutdownDelayMs + 2 * config.subscriptions.drainTimeoutMs + config.resilience.requestDeadlineMs + 5_000
}

/**
 * Zero-downtime stop. On SIGTERM (a deploy, a scale-in) /health/ready answers
 * 503 at once, so load balancers take the instance out at their next probe,
 * while it goes on serving whatever they still send for SHUTDOWN_DELAY_MS.
 * Then app.close(): the listener stops accepting, requests in flight finish,
 * idle keep-alive sockets close, and websockets close with 1012 so clients
 * reconnect elsewhere and resume with `after` (subscriptions plugin).
 * SIGINT (Ctrl-C at a terminal) skips the delay: nobody routes to a
 * developer's process.
 */
export function closeGracefully(app: FastifyInstance, config: Config): void {
  let draining = false
  app.readiness.register('shutdown', () => ({ ready: !draining, draining }))
  closeWithGrace({ delay: shutdownBudgetMs(config) }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an uncaught error')
    draining = true
    const waitMs = signal === 'SIGTERM' ? config.server.shutdownDelayMs : 0
    app.log.info({ signal, shutdownDelayMs: waitMs }, 'not ready; serving until the shutdown delay has passed')
    if (waitMs > 0) await delay(waitMs)
    app.log.info('closing: no new connections, draining requests in flight, closing websockets with 1012')
    // close() closes the keep-alive connections idle at that moment; one whose request finishes
    // later would stay open until the client or keepAliveTimeout (72 s) ends it, and a load
    // balancer's pooled connection may never be: close each as soon as it falls idle.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100)
    try {
      await app.close()
    } finally {
      clearInterval(closeIdle)
    }
  })
}

async function main(): Promise<void> {
  const config = loadConfig()
  const app = await startServer(config)
  closeGracefully(app, config)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    // Boot failures (bad config) must be readable without a logger.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
