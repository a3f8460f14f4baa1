import { fileURLToPath } from 'node:url'
import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { isRecord, requestJson } from './admin-client.js'
import { spawnChild, waitForOutput, type BenchChild } from './child-processes.js'
import type { Latencies } from './critical-path.js'

export interface MocksProcess {
  readonly child: BenchChild
  readonly urls: Readonly<Record<ServiceName, string>>
  /** The identity provider's base URL (its issuer). */
  readonly authUrl: string
  /** The latency each mock reports for itself through `/__admin/faults`, in ms. */
  readonly latencies: Readonly<Record<ServiceName, unknown>>
}

const START_MOCKS = new URL('../../mocks/start-mocks.js', import.meta.url)

/**
 * Starts the seven mocks in their own process, on free ports, with fixed
 * latencies. A separate process keeps their CPU out of the BFF's event loop
 * and lets its CPU time be read on its own; in-process mocks would share one
 * event loop with the BFF and inflate its latency.
 */
export async function startMocksProcess(latencies: Latencies): Promise<MocksProcess> {
  const args = [fileURLToPath(START_MOCKS), '--host', '127.0.0.1']
  for (const name of SERVICE_NAMES) args.push('--port', `${name}=0`)
  for (const [name, ms] of Object.entries(latencies)) args.push('--latency', `${name}=${ms}`)
  // Reviews is not on the home query's path; no delay keeps it out of the picture.
  args.push('--latency', 'reviews=0')
  const child = spawnChild({ name: 'mocks', command: process.execPath, args, env: { PATH: process.env['PATH'] ?? '' } })
  const out = await waitForOutput(child, 'event generator', 30_000)

  const urls: Partial<Record<ServiceName, string>> = {}
  for (const line of out.split('\n')) {
    const [name, url] = line.trim().split(/\s+/)
    if (name !== undefined && url !== undefined && (SERVICE_NAMES as readonly string[]).includes(name)) {
      urls[name as ServiceName] = url
    }
  }
  const missing = SERVICE_NAMES.filter((name) => urls[name] === undefined)
  if (missing.length > 0) throw new Error(`mocks did not print a URL for: ${missing.join(', ')}`)
  const complete = urls as Record<ServiceName, string>
  const authUrl = out.split('\n').map((line) => line.trim().split(/\s+/)).find(([name]) => name === 'auth')?.[1]
  if (authUrl === undefined) throw new Error('mocks did not print the auth URL')

  const reported: Partial<Record<ServiceName, unknown>> = {}
  for (const name of SERVICE_NAMES) {
    // An empty patch changes nothing and answers the current settings: proof the knobs took.
    const { body } = await requestJson(`${complete[name]}/__admin/faults`, { body: {} })
    reported[name] = isRecord(body) && isRecord(body['faults']) ? body['faults']['latencyMs'] : undefined
  }
  return { child, urls: complete, authUrl, latencies: reported as Record<ServiceName, unknown> }
}

/**
 * The env that makes the BFF (and the baseline, which reads the same names)
 * verify tokens of the mocks' identity provider, or run with identity off.
 */
export function authEnv(authUrl: string | null): Record<string, string> {
  return authUrl === null ? { AUTH_DISABLED: 'true' } : { AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`, AUTH_ISSUER: authUrl }
}

/** The env that points the BFF (and the baseline, which reads the same names) at these mocks. */
export function downstreamEnv(urls: Readonly<Record<ServiceName, string>>): Record<string, string> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, urls[name]]))
}

/**
 * A token the benchmark sends on every request: `admin`, because the load
 * walks users 1..2000 and only an admin may read each one's private fields.
 * Null when the benchmark runs with identity off.
 */
export async function benchToken(mocks: Pick<MocksProcess, 'authUrl'>, auth: boolean): Promise<string | undefined> {
  if (!auth) return undefined
  const { body } = await requestJson(`${mocks.authUrl}/token`, { body: { sub: 'bench', scope: 'admin', ttlSeconds: 86_400 } })
  const token = isRecord(body) ? body['access_token'] : undefined
  if (typeof token !== 'string') throw new Error(`the auth mock minted no token: ${JSON.stringify(body)}`)
  return token
}
