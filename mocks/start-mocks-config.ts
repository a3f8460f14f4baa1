import { parseArgs } from 'node:util'
import { parseFaultSettings, type FaultSettings } from './admin/fault-settings.js'
import { MAX_KEY_GRACE_MS } from './auth/signing-keys.js'
import { AUTH_SERVICE, isMockName, isServiceName, MOCK_NAMES, SERVICE_NAMES, type MockName, type ServiceName } from './services/service-names.js'
import type { StartMocksOptions } from './start-mocks.js'

/** What `node dist/mocks/start-mocks.js` runs with, from env and CLI flags (CLI wins). */
export interface StartMocksConfig {
  readonly options: StartMocksOptions
  /** Event generator period in ms; 0 = off. */
  readonly eventsIntervalMs: number
  readonly help: boolean
}

export type ConfigResult = { readonly ok: true; readonly config: StartMocksConfig } | { readonly ok: false; readonly message: string }

export const USAGE = `Usage: node dist/mocks/start-mocks.js [flags]

  --host <addr>                    MOCK_HOST                 (default 127.0.0.1)
  --port <service>=<n>             MOCK_<SERVICE>_PORT       (default 4001..4007, auth 4008)
  --latency [<service>=]<ms>       MOCK_LATENCY_MS, MOCK_<SERVICE>_LATENCY_MS   ms = "20" or "20,50" (uniform)
  --error-rate [<service>=]<0..1>  MOCK_ERROR_RATE, MOCK_<SERVICE>_ERROR_RATE
  --error-status [<service>=]<s>   MOCK_ERROR_STATUS, MOCK_<SERVICE>_ERROR_STATUS  s = 500|502|503
  --hang-rate [<service>=]<0..1>   MOCK_HANG_RATE, MOCK_<SERVICE>_HANG_RATE
  --events-interval <ms>           MOCK_EVENTS_INTERVAL_MS   event generator period, 0 = off (default 0)
  --require-identity               MOCK_REQUIRE_IDENTITY     orders and notifications demand a bearer token (true|false, default false)
  --key-grace-ms <ms>              MOCK_AUTH_KEY_GRACE_MS    how long auth publishes a rotated-out key (default 600000)
  --help

Flags taking [<service>=] may repeat; without a service they apply to all seven.
Services: ${SERVICE_NAMES.join(', ')}, and ${AUTH_SERVICE} (the identity provider: --port only).
Precedence: env all < env per service < flag all < flag per service.
`

class ConfigError extends Error {}

type Knob = 'latencyMs' | 'errorRate' | 'errorStatus' | 'hangRate'

const KNOBS: ReadonlyArray<{ readonly knob: Knob; readonly env: string; readonly flag: 'latency' | 'error-rate' | 'error-status' | 'hang-rate' }> = [
  { knob: 'latencyMs', env: 'LATENCY_MS', flag: 'latency' },
  { knob: 'errorRate', env: 'ERROR_RATE', flag: 'error-rate' },
  { knob: 'errorStatus', env: 'ERROR_STATUS', flag: 'error-status' },
  { knob: 'hangRate', env: 'HANG_RATE', flag: 'hang-rate' },
]

const NUMBER = /^\d+(\.\d+)?$/

function parseNumber(text: string, source: string): number {
  if (!NUMBER.test(text.trim())) throw new ConfigError(`${source} must be a non-negative number, got "${text}"`)
  return Number(text.trim())
}

function knobValue(knob: Knob, text: string, source: string): FaultSettings {
  const raw = knob === 'latencyMs' && text.includes(',') ? text.split(',').map((part) => parseNumber(part, source)) : parseNumber(text, source)
  const parsed = parseFaultSettings({ [knob]: raw })
  if (!parsed.ok) throw new ConfigError(`${source}: ${parsed.message}`)
  return parsed.value
}

function parseBoolean(text: string | undefined, source: string): boolean {
  if (text === undefined || text === '') return false
  if (text === 'true' || text === 'false') return text === 'true'
  throw new ConfigError(`${source} must be true or false, got "${text}"`)
}

/** Splits `users=20` into service and value; a bare value applies to all services. */
function splitScoped(text: string, flag: string): { readonly service: ServiceName | null; readonly value: string } {
  const eq = text.indexOf('=')
  if (eq < 0) return { service: null, value: text }
  const service = text.slice(0, eq)
  if (!isServiceName(service)) throw new ConfigError(`--${flag}: unknown service "${service}" (services: ${SERVICE_NAMES.join(', ')})`)
  return { service, value: text.slice(eq + 1) }
}

function parseOrThrow(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): StartMocksConfig {
  let args
  try {
    args = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string', multiple: true },
        latency: { type: 'string', multiple: true },
        'error-rate': { type: 'string', multiple: true },
        'error-status': { type: 'string', multiple: true },
        'hang-rate': { type: 'string', multiple: true },
        'events-interval': { type: 'string' },
        'require-identity': { type: 'boolean' },
        'key-grace-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err))
  }

  const faults: Partial<Record<ServiceName, FaultSettings>> = {}
  const apply = (service: ServiceName | null, patch: FaultSettings): void => {
    for (const name of service === null ? SERVICE_NAMES : [service]) faults[name] = { ...faults[name], ...patch }
  }
  for (const { knob, env: suffix } of KNOBS) {
    const all = env[`MOCK_${suffix}`]
    if (all !== undefined && all !== '') apply(null, knobValue(knob, all, `MOCK_${suffix}`))
    for (const name of SERVICE_NAMES) {
      const key = `MOCK_${name.toUpperCase()}_${suffix}`
      const one = env[key]
      if (one !== undefined && one !== '') apply(name, knobValue(knob, one, key))
    }
  }
  for (const { knob, flag } of KNOBS) {
    const scoped = (args[flag] ?? []).map((text) => splitScoped(text, flag))
    // Bare flags first so `--latency 5 --latency users=20` gives users 20 whatever the order.
    for (const { service, value } of scoped) if (service === null) apply(null, knobValue(knob, value, `--${flag}`))
    for (const { service, value } of scoped) if (service !== null) apply(service, knobValue(knob, value, `--${flag} ${service}`))
  }

  const ports: Partial<Record<MockName, number>> = {}
  const setPort = (name: MockName, text: string, source: string): void => {
    const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
    if (!(port >= 0 && port <= 65_535)) throw new ConfigError(`${source} must be a port in 0..65535, got "${text}"`)
    ports[name] = port
  }
  for (const name of MOCK_NAMES) {
    const key = `MOCK_${name.toUpperCase()}_PORT`
    const text = env[key]
    if (text !== undefined && text !== '') setPort(name, text, key)
  }
  for (const text of args.port ?? []) {
    const eq = text.indexOf('=')
    const service = text.slice(0, Math.max(eq, 0))
    if (eq < 0) throw new ConfigError(`--port needs <service>=<port>, got "${text}"`)
    if (!isMockName(service)) throw new ConfigError(`--port: unknown service "${service}" (services: ${MOCK_NAMES.join(', ')})`)
    setPort(service, text.slice(eq + 1), `--port ${service}`)
  }

  const host = args.host ?? env['MOCK_HOST'] ?? '127.0.0.1'
  if (host.trim() === '') throw new ConfigError('host must not be empty')
  const intervalText = args['events-interval'] ?? env['MOCK_EVENTS_INTERVAL_MS'] ?? '0'
  const eventsIntervalMs = parseNumber(intervalText, 'MOCK_EVENTS_INTERVAL_MS / --events-interval')
  if (eventsIntervalMs !== 0 && eventsIntervalMs < 10) throw new ConfigError(`MOCK_EVENTS_INTERVAL_MS / --events-interval must be 0 (off) or >= 10, got "${intervalText}"`)
  const requireIdentity = args['require-identity'] === true || parseBoolean(env['MOCK_REQUIRE_IDENTITY'], 'MOCK_REQUIRE_IDENTITY')
  const graceText = args['key-grace-ms'] ?? env['MOCK_AUTH_KEY_GRACE_MS']
  const keyGraceMs = graceText === undefined || graceText === '' ? undefined : parseNumber(graceText, 'MOCK_AUTH_KEY_GRACE_MS / --key-grace-ms')
  if (keyGraceMs !== undefined && !(Number.isInteger(keyGraceMs) && keyGraceMs <= MAX_KEY_GRACE_MS)) {
    throw new ConfigError(`MOCK_AUTH_KEY_GRACE_MS / --key-grace-ms must be an integer in 0..${MAX_KEY_GRACE_MS}, got "${graceText}"`)
  }
  return {
    options: { host, ports, faults, requireIdentity, ...(keyGraceMs === undefined ? {} : { auth: { keyGraceMs } }) },
    eventsIntervalMs,
    help: args.help === true,
  }
}

/** Reads env and argv into startMocks options; never throws, never exits. */
export function parseStartMocksConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): ConfigResult {
  try {
    return { ok: true, config: parseOrThrow(env, argv) }
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message }
    throw err
  }
}
