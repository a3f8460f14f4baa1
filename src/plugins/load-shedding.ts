import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { PressureConfig } from '../config/load-config.js'
import { clientMessage, statusOf } from '../errors.js'

export interface LoadSheddingOptions {
  readonly pressure: PressureConfig
}

/** Routes that must answer while the process sheds load, so orchestrators (and the metrics scraper) see why. */
const ALWAYS_ANSWERED = new Set(['/health/live', '/health/ready', '/metrics'])

/**
 * The process-level guard for what no limit foresaw: while the event loop
 * lags or the heap is near its limit, new requests get 503 with Retry-After
 * at once instead of queueing behind work the process cannot finish in time
 * (@fastify/under-pressure samples both). Health and readiness still answer,
 * and readiness says what is over its threshold; websocket upgrades are
 * refused the same way, and open sockets carry on.
 */
async function loadShedding(app: FastifyInstance, options: LoadSheddingOptions): Promise<void> {
  const { pressure } = options
  const status = statusOf('SERVER_OVERLOADED')
  const body = { errors: [{ message: clientMessage('SERVER_OVERLOADED', undefined), extensions: { code: 'SERVER_OVERLOADED' } }] }
  /**
   * under-pressure reads a sample interval that holds no delay sample as an
   * infinite delay. What it proves is a loop held for about one interval (the
   * delay monitor needs two turns after each reset to record one): over the
   * limit only when the interval reaches it. Read as infinite, one long
   * synchronous stretch shed load past a limit set far above it.
   */
  const delayOverLimit = (delayMs: number): boolean =>
    pressure.maxEventLoopDelayMs > 0 &&
    (Number.isFinite(delayMs) ? delayMs > pressure.maxEventLoopDelayMs : pressure.sampleIntervalMs >= pressure.maxEventLoopDelayMs)
  const heapOverLimit = (heapUsed: number): boolean => pressure.maxHeapUsedBytes > 0 && heapUsed > pressure.maxHeapUsedBytes

  /** under-pressure sends what this returns, or lets the request through when it returns nothing. */
  function shed(request: FastifyRequest, reply: FastifyReply, type: string): typeof body | undefined {
    if (ALWAYS_ANSWERED.has(request.url.split('?')[0] ?? '')) return undefined
    const usage = app.memoryUsage()
    // under-pressure checks the delay first and stops there, so the heap is checked here when the delay lets a request through.
    if (type === 'eventLoopDelay' && !delayOverLimit(usage.eventLoopDelay) && !heapOverLimit(usage.heapUsed)) return undefined
    request.log.warn({ pressure: type, ...usage }, 'shedding load')
    reply.code(status).header('retry-after', String(pressure.retryAfterS)).type('application/json; charset=utf-8')
    return body
  }
  await app.register(underPressure, {
    maxEventLoopDelay: pressure.maxEventLoopDelayMs,
    maxHeapUsedBytes: pressure.maxHeapUsedBytes,
    sampleInterval: pressure.sampleIntervalMs,
    retryAfter: pressure.retryAfterS,
    // Its type says void, but under-pressure sends a returned payload itself (index.js handlePressure).
    pressureHandler: shed as unknown as (request: FastifyRequest, reply: FastifyReply, type: string) => void,
  })

  app.readiness.register('pressure', () => {
    const usage = app.memoryUsage()
    const over = [
      ...(delayOverLimit(usage.eventLoopDelay) ? ['eventLoopDelay'] : []),
      ...(heapOverLimit(usage.heapUsed) ? ['heapUsedBytes'] : []),
    ]
    return {
      // Not ready while shedding: a balancer sends new requests to an instance that can take them.
      ready: over.length === 0,
      shedding: over.length > 0,
      over,
      // null: the last interval held no delay sample (see delayOverLimit).
      eventLoopDelayMs: Number.isFinite(usage.eventLoopDelay) ? Math.round(usage.eventLoopDelay * 10) / 10 : null,
      heapUsedBytes: usage.heapUsed,
      rssBytes: usage.rssBytes,
      limits: { eventLoopDelayMs: pressure.maxEventLoopDelayMs, heapUsedBytes: pressure.maxHeapUsedBytes },
    }
  })
}

export default fp(loadShedding, { name: 'load-shedding', dependencies: ['health'] })
