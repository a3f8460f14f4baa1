import { fileURLToPath } from 'node:url'
import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { requestJson } from '../lib/admin-client.js'
import { delay, spawnChild, type BenchChild } from '../lib/child-processes.js'
import { freePort } from '../lib/free-port.js'
import { SHIPPED_NODE_FLAGS } from '../lib/server-env.js'
import { debuggerUrlIn, openInspectorSession, type InspectorSession } from './inspector-session.js'

export interface SoakServer {
  readonly child: BenchChild
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  readonly wsUrl: string
  readonly mockUrls: Readonly<Record<ServiceName, string>>
  readonly inspector: InspectorSession
  /** Lines the process wrote to stdout since start (pino logs at the level asked for). */
  readonly logLines: () => number
  stop(): Promise<void>
}

// `npm start`'s entry point, compiled: mocks, event generator and BFF in one process on the in-process log.
const START_ALL = new URL('../../scripts/start-all.js', import.meta.url)

/**
 * Runs `npm start` (dist/scripts/start-all.js) in its own process, with the
 * shipped node flags plus `--inspect` on a loopback port of the kernel's
 * choosing, and opens an inspector session to it. Every port (BFF and the
 * seven mocks) is picked free here, since the process is told them by env.
 */
export async function startSoakServer(env: Readonly<Record<string, string>>): Promise<SoakServer> {
  const port = await freePort()
  const mockUrls = {} as Record<ServiceName, string>
  for (const name of SERVICE_NAMES) mockUrls[name] = `http://127.0.0.1:${await freePort()}`
  const serviceEnv = Object.fromEntries(SERVICE_NAMES.map((name) => [`${name.toUpperCase()}_URL`, mockUrls[name]]))
  const child = spawnChild({
    name: 'bff',
    command: process.execPath,
    args: [...SHIPPED_NODE_FLAGS, '--inspect=127.0.0.1:0', fileURLToPath(START_ALL)],
    // The soak drives anonymous traffic at npm start's process: identity is not what it measures.
    env: { PATH: process.env['PATH'] ?? '', AUTH_DISABLED: 'true', ...serviceEnv, ...env, HOST: '127.0.0.1', PORT: String(port) },
  })
  // spawnChild keeps all of stdout; over a long soak the BFF's log would grow this process instead.
  // From here on only the line count is kept.
  let lines = 0
  child.process.stdout?.removeAllListeners('data')
  child.process.stdout?.on('data', (chunk: string) => {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines += 1
  })
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`bff exited (${child.process.exitCode}):\n${child.stderr()}`)
    const live = await requestJson(`${origin}/health/live`).then(
      (response) => response.statusCode === 200,
      () => false,
    )
    if (live) break
    if (Date.now() > deadline) throw new Error(`bff not live within 60 s:\n${child.stderr()}`)
    await delay(200)
  }
  const url = debuggerUrlIn(child.stderr())
  if (url === null) throw new Error(`bff printed no inspector URL:\n${child.stderr()}`)
  const inspector = await openInspectorSession(url)
  return {
    child,
    origin,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    mockUrls,
    inspector,
    logLines: () => lines,
    async stop() {
      await inspector.close().catch(() => undefined)
      await child.stop()
    },
  }
}
