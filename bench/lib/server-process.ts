import { fileURLToPath } from 'node:url'
import { requestJson } from './admin-client.js'
import { delay, spawnChild, type BenchChild } from './child-processes.js'
import { freePort } from './free-port.js'
import { SHIPPED_NODE_FLAGS } from './server-env.js'

export interface ServerProcess {
  readonly child: BenchChild
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
}

export interface StartServerOptions {
  readonly name: string
  /** Compiled entry point, relative to this file in dist/bench/lib/. */
  readonly entry: string
  readonly env: Readonly<Record<string, string>>
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: undefined | readonly string[]
  /** CPUs to pin the server to (`taskset -c`), e.g. "0"; taskset execs node, so the pid is node's. */
  readonly cpus?: undefined | string
}

/**
 * Starts an HTTP server (the BFF or the baseline) in its own process on a free
 * loopback port and waits for `/health/live`. Both servers are started by this
 * one function so they get identical treatment, the shipped node flags included.
 */
export async function startServerProcess(options: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort()
  const entry = fileURLToPath(new URL(options.entry, import.meta.url))
  const nodeArgs = [...SHIPPED_NODE_FLAGS, ...(options.nodeArgs ?? []), entry]
  const child = spawnChild({
    name: options.name,
    command: options.cpus === undefined ? process.execPath : 'taskset',
    args: options.cpus === undefined ? nodeArgs : ['-c', options.cpus, process.execPath, ...nodeArgs],
    // Benchmarks that are not about identity run the BFF with it off; the home benchmark passes AUTH_* (server-env.ts).
    env: { PATH: process.env['PATH'] ?? '', ...(options.env['AUTH_JWKS_URL'] === undefined ? { AUTH_DISABLED: 'true' } : {}), ...options.env, HOST: '127.0.0.1', PORT: String(port) },
  })
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${options.name} exited (${child.process.exitCode}):\n${child.stderr()}`)
    try {
      const { statusCode } = await requestJson(`${origin}/health/live`)
      if (statusCode === 200) return { child, origin }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${options.name} not live within 30 s:\n${child.stderr()}`)
    await delay(100)
  }
}
