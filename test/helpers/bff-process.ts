import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { spawnChild, type BenchChild } from '../../bench/lib/child-processes.js'
import { shippedNodeFlags } from '../../scripts/node-flags.js'
import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { ensureBuilt } from './built-dist.js'
import { freePort } from './redis-server.js'
import { waitFor } from './wait-for.js'

export interface BffProcess {
  readonly child: BenchChild
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  readonly port: number
}

/**
 * The BFF as it ships: `node <config.nodeFlags> dist/src/server.js` in a
 * process of its own (built first), on a free port, pointed at the given mock
 * URLs; resolves once /health/ready answers 200.
 */
export async function startBffProcess(urls: Readonly<Record<ServiceName, string>>, env: Readonly<Record<string, string>> = {}): Promise<BffProcess> {
  const root = await ensureBuilt()
  const port = await freePort()
  const child = spawnChild({
    name: 'bff',
    command: process.execPath,
    args: [...shippedNodeFlags(), fileURLToPath(new URL('dist/src/server.js', `file://${root}`))],
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      GRAPHIQL_ENABLED: 'false',
      // Tests about identity pass AUTH_DISABLED: 'false' with AUTH_JWKS_URL and AUTH_ISSUER in `env`.
      AUTH_DISABLED: 'true',
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, urls[name]])),
      ...env,
    },
  })
  const origin = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      if (child.process.exitCode !== null) throw new Error(`the BFF exited (${child.process.exitCode}): ${child.stderr()}`)
      return (await freshRequest(`${origin}/health/ready`)).status === 200
    },
    { timeoutMs: 30_000, intervalMs: 50, message: `${origin}/health/ready` },
  )
  return { child, origin, port }
}

/** One request on a connection of its own (never a pooled keep-alive one): what a new client or a balancer's probe sees. */
export async function freshRequest(url: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  const agent = new Agent({ pipelining: 0 })
  try {
    const response = await request(url, { ...init, dispatcher: agent, headers: { connection: 'close', ...init.headers } })
    const text = await response.body.text()
    return { status: response.statusCode, body: text === '' ? null : (JSON.parse(text) as unknown) }
  } finally {
    await agent.close()
  }
}

/** POSTs a GraphQL query on a connection of its own. */
export function freshQuery(origin: string, query: string): Promise<{ status: number; body: unknown }> {
  return freshRequest(`${origin}/graphql`, {
    method: 'POST',
    body: JSON.stringify({ query }),
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  })
}
