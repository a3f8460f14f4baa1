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
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly logLevel: string
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly bodyLimitBytes: number
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
  }
}
