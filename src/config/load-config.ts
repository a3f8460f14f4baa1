import { z } from 'zod'
import { BffError } from '../errors.js'
import { envSchema } from './schema.js'
import { SERVICE_NAMES, type ServiceName } from './services.js'

export interface ServiceConfig {
  /** Base URL, e.g. http://127.0.0.1:4001 */
  readonly url: string
  /** Per-call time limit. */
  readonly timeoutMs: number
  /** Keep-alive connections in this service's pool. */
  readonly connections: number
}

/** The validated, frozen configuration. Nothing else reads process.env. */
export interface Config {
  readonly server: {
    readonly host: string
    readonly port: number
    readonly logLevel: string
    readonly connectionTimeoutMs: number
    readonly requestTimeoutMs: number
    readonly keepAliveTimeoutMs: number
    readonly bodyLimitBytes: number
  }
  readonly graphql: {
    readonly graphiql: boolean
    /** 0 disables graphql-jit. */
    readonly jitAfter: number
    readonly queryDepthLimit: number
    readonly exposeErrorDetails: boolean
  }
  readonly downstream: {
    readonly services: Readonly<Record<ServiceName, ServiceConfig>>
    readonly connectTimeoutMs: number
    readonly headersTimeoutMs: number
    readonly bodyTimeoutMs: number
    readonly keepAliveTimeoutMs: number
    readonly maxResponseBytes: number
  }
  readonly redis: {
    /** null: use the embedded in-process implementations. */
    readonly url: string | null
  }
}

type EnvSource = Readonly<Record<string, string | undefined>>

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.join('.')
      return `${name}: ${issue.message}`
    })
    .join('; ')
}

/**
 * Validates the environment once at boot. Throws BFF_ERR_CONFIG_INVALID naming
 * each bad variable and what it expected.
 */
export function loadConfig(env: EnvSource = process.env): Config {
  // Empty strings mean "unset" for every variable: `FOO= npm start` should not fail.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `Invalid configuration: ${describeIssues(parsed.error)}`)
  }
  const e = parsed.data as Record<string, unknown> & z.output<typeof envSchema>
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const prefix = name.toUpperCase()
      const service: ServiceConfig = {
        url: String(e[`${prefix}_URL`]).replace(/\/+$/, ''),
        timeoutMs: (e[`${prefix}_TIMEOUT_MS`] as number | undefined) ?? e.DOWNSTREAM_TIMEOUT_MS,
        connections: (e[`${prefix}_CONNECTIONS`] as number | undefined) ?? e.DOWNSTREAM_CONNECTIONS,
      }
      return [name, service]
    }),
  ) as Record<ServiceName, ServiceConfig>

  return deepFreeze<Config>({
    server: {
      host: e.HOST,
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      connectionTimeoutMs: e.SERVER_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.SERVER_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.SERVER_KEEP_ALIVE_TIMEOUT_MS,
      bodyLimitBytes: e.SERVER_BODY_LIMIT_BYTES,
    },
    graphql: {
      graphiql: e.GRAPHIQL_ENABLED,
      jitAfter: e.GRAPHQL_JIT_AFTER,
      queryDepthLimit: e.GRAPHQL_QUERY_DEPTH_LIMIT,
      exposeErrorDetails: e.EXPOSE_ERROR_DETAILS,
    },
    downstream: {
      services,
      connectTimeoutMs: e.DOWNSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.DOWNSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.DOWNSTREAM_BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: e.DOWNSTREAM_KEEP_ALIVE_TIMEOUT_MS,
      maxResponseBytes: e.DOWNSTREAM_MAX_RESPONSE_BYTES,
    },
    redis: { url: e.REDIS_URL ?? null },
  })
}
