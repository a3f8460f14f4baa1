import { z } from 'zod'
import { DEFAULT_SERVICE_PORTS, SERVICE_NAMES, type ServiceName } from './services.js'

/**
 * The environment variables the BFF reads, with types, bounds and defaults.
 * Units are in the names (`_MS`, `_BYTES`). Every timeout is explicit: library
 * defaults (undici waits 300 s for headers and body, fastify has no request
 * timeout) are not safe for a gateway.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const url = z.url({ protocol: /^https?$/ })

const serviceVars = Object.fromEntries(
  SERVICE_NAMES.flatMap((name) => {
    const prefix = name.toUpperCase()
    return [
      [`${prefix}_URL`, url.default(`http://127.0.0.1:${DEFAULT_SERVICE_PORTS[name]}`)],
      [`${prefix}_TIMEOUT_MS`, int(1, 60_000).optional()],
      [`${prefix}_CONNECTIONS`, int(1, 1_024).optional()],
    ]
  }),
) as Record<`${Uppercase<ServiceName>}_${'URL' | 'TIMEOUT_MS' | 'CONNECTIONS'}`, z.ZodType>

export const envSchema = z.object({
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

  GRAPHIQL_ENABLED: bool.default(true),
  /** Compile a query with graphql-jit after it has run this many times; 0 disables. */
  GRAPHQL_JIT_AFTER: int(0, 1_000_000).default(1),
  GRAPHQL_QUERY_DEPTH_LIMIT: int(1, 100).default(12),
  /** Send unexpected errors' messages to clients. Off in production. */
  EXPOSE_ERROR_DETAILS: bool.default(false),

  /** Per-call timeout for downstream services unless <SERVICE>_TIMEOUT_MS says otherwise. */
  DOWNSTREAM_TIMEOUT_MS: int(1, 60_000).default(800),
  DOWNSTREAM_CONNECTIONS: int(1, 1_024).default(64),
  DOWNSTREAM_CONNECT_TIMEOUT_MS: int(1, 60_000).default(1_000),
  DOWNSTREAM_HEADERS_TIMEOUT_MS: int(1, 300_000).default(5_000),
  DOWNSTREAM_BODY_TIMEOUT_MS: int(1, 300_000).default(5_000),
  /** Idle keep-alive sockets are closed after this. */
  DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(30_000),
  DOWNSTREAM_MAX_RESPONSE_BYTES: int(1_024, 256 * 1_048_576).default(8 * 1_048_576),

  /** Unset: the embedded in-process cache and event log stand in for Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),

  ...serviceVars,
})

export type Env = z.input<typeof envSchema>
