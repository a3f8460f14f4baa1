import { getHeapStatistics } from 'node:v8'
import { z } from 'zod'
import { int } from './env-fields.js'

/** The HTTP server: where it listens, its logs, and its time and size limits. */
export const serverVars = {
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65_535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Socket idle before the first byte of a request. */
  SERVER_CONNECTION_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Whole request (headers + body) must arrive within this. */
  SERVER_REQUEST_TIMEOUT_MS: int(1, 600_000).default(10_000),
  /** Longer than typical load-balancer idle timeouts (60 s) so the LB closes first. */
  SERVER_KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(72_000),
  SERVER_BODY_LIMIT_BYTES: int(1_024, 64 * 1_048_576).default(1_048_576),
  /** On SIGTERM: how long /health/ready answers 503 while the instance keeps serving, before it stops accepting. */
  SHUTDOWN_DELAY_MS: int(0, 600_000).default(0),
  /** Load shedding: mean event-loop delay over a sample above this answers 503 (Retry-After); 0 disables. */
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: int(0, 60_000).default(1_000),
  /** Load shedding: heap used above this share of V8's heap limit answers 503; 0 disables. */
  PRESSURE_MAX_HEAP_USED_RATIO: z.coerce.number().min(0).max(1).default(0.9),
  /** How often event-loop delay and memory are sampled, in ms. */
  PRESSURE_SAMPLE_INTERVAL_MS: int(10, 60_000).default(1_000),
  /** Retry-After (s) on a shed request. */
  PRESSURE_RETRY_AFTER_S: int(1, 3_600).default(5),
}

/** When the process sheds load rather than queue work it cannot finish in time. */
export interface PressureConfig {
  /** Mean event-loop delay per sample above which requests get 503; 0 disables. */
  readonly maxEventLoopDelayMs: number
  /** Heap used above which requests get 503, in bytes; 0 disables. */
  readonly maxHeapUsedBytes: number
  readonly sampleIntervalMs: number
  readonly retryAfterS: number
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly logLevel: string
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly bodyLimitBytes: number
  /** On SIGTERM: time not ready but still serving, before the listener closes (ms). */
  readonly shutdownDelayMs: number
  /** Load shedding (@fastify/under-pressure). */
  readonly pressure: PressureConfig
}

export function serverConfig(e: z.output<z.ZodObject<typeof serverVars>>): ServerConfig {
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    connectionTimeoutMs: e.SERVER_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: e.SERVER_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.SERVER_KEEP_ALIVE_TIMEOUT_MS,
    bodyLimitBytes: e.SERVER_BODY_LIMIT_BYTES,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    pressure: {
      maxEventLoopDelayMs: e.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: Math.floor(e.PRESSURE_MAX_HEAP_USED_RATIO * getHeapStatistics().heap_size_limit),
      sampleIntervalMs: e.PRESSURE_SAMPLE_INTERVAL_MS,
      retryAfterS: e.PRESSURE_RETRY_AFTER_S,
    },
  }
}
