import { z } from 'zod'
import { int } from './env-fields.js'
import { DEFAULT_SERVICE_PORTS, SERVICE_NAMES, type ServiceName } from './services.js'

const url = z.url({ protocol: /^https?$/ })

/** Every timeout is explicit: undici waits 300 s for headers and body by default, which is not safe for a gateway. */
export const downstreamVars = {
  /** Per-call timeout for downstream services unless <SERVICE>_TIMEOUT_MS says otherwise. */
  DOWNSTREAM_TIMEOUT_MS: int(1, 60_000).default(800),
  DOWNSTREAM_CONNECTIONS: int(1, 1_024).default(64),
  DOWNSTREAM_CONNECT_TIMEOUT_MS: int(1, 60_000).default(1_000),
  DOWNSTREAM_HEADERS_TIMEOUT_MS: int(1, 300_000).default(5_000),
  DOWNSTREAM_BODY_TIMEOUT_MS: int(1, 300_000).default(5_000),
  /** Idle keep-alive sockets are closed after this. */
  DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS: int(1, 600_000).default(30_000),
  DOWNSTREAM_MAX_RESPONSE_BYTES: int(1_024, 256 * 1_048_576).default(8 * 1_048_576),
}

/** `<SERVICE>_URL`, `<SERVICE>_TIMEOUT_MS`, `<SERVICE>_CONNECTIONS` per service. */
export const serviceVars = Object.fromEntries(
  SERVICE_NAMES.flatMap((name) => {
    const prefix = name.toUpperCase()
    return [
      [`${prefix}_URL`, url.default(`http://127.0.0.1:${DEFAULT_SERVICE_PORTS[name]}`)],
      [`${prefix}_TIMEOUT_MS`, int(1, 60_000).optional()],
      [`${prefix}_CONNECTIONS`, int(1, 1_024).optional()],
    ]
  }),
) as Record<`${Uppercase<ServiceName>}_${'URL' | 'TIMEOUT_MS' | 'CONNECTIONS'}`, z.ZodType>

export interface ServiceConfig {
  /** Base URL, e.g. http://127.0.0.1:4001 */
  readonly url: string
  /** Per-call time limit. */
  readonly timeoutMs: number
  /** Keep-alive connections in this service's pool. */
  readonly connections: number
}

export interface DownstreamConfig {
  readonly services: Readonly<Record<ServiceName, ServiceConfig>>
  readonly connectTimeoutMs: number
  readonly headersTimeoutMs: number
  readonly bodyTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly maxResponseBytes: number
}

/** Call timeouts that differ from DOWNSTREAM_TIMEOUT_MS unless <SERVICE>_TIMEOUT_MS is set: optional data gets less time. */
export const DEFAULT_SERVICE_TIMEOUTS_MS: Readonly<Partial<Record<ServiceName, number>>> = { recommendations: 250 }

export function downstreamConfig(e: z.output<z.ZodObject<typeof downstreamVars>> & Readonly<Record<string, unknown>>): DownstreamConfig {
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const prefix = name.toUpperCase()
      const service: ServiceConfig = {
        url: String(e[`${prefix}_URL`]).replace(/\/+$/, ''),
        timeoutMs: (e[`${prefix}_TIMEOUT_MS`] as number | undefined) ?? DEFAULT_SERVICE_TIMEOUTS_MS[name] ?? e.DOWNSTREAM_TIMEOUT_MS,
        connections: (e[`${prefix}_CONNECTIONS`] as number | undefined) ?? e.DOWNSTREAM_CONNECTIONS,
      }
      return [name, service]
    }),
  ) as Record<ServiceName, ServiceConfig>
  return {
    services,
    connectTimeoutMs: e.DOWNSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: e.DOWNSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: e.DOWNSTREAM_BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: e.DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS,
    maxResponseBytes: e.DOWNSTREAM_MAX_RESPONSE_BYTES,
  }
}
