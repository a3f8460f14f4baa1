import { fork, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePort } from '../lib/free-port.js'
import type { ServerMessage, ServerRequest, ServerStats } from './ws-bench-server.js'

/** Processes `npm run bench:ws` starts; each is killed when the bench exits, however it exits. */
const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

export interface BenchServer {
  readonly wsUrl: string | null
  readonly serviceUrls: Readonly<Record<string, string>>
  /** `collect` (default true) runs a full GC first; pass false mid-measurement. */
  stats(collect?: boolean): Promise<ServerStats>
  stop(): Promise<void>
}

// Same extension as this file: .ts under tsx, .js from dist/.
const serverEntry = fileURLToPath(new URL(`./ws-bench-server${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url))

/** Forks ws-bench-server.ts in a role and waits for it to announce its URLs. */
export async function forkServer(role: 'bff' | 'mocks', ...args: string[]): Promise<BenchServer> {
  const child = fork(serverEntry, [role, ...args], { execArgv: [...process.execArgv, '--expose-gc', ...(role === 'bff' && process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let nextId = 0
  const pending = new Map<number, (stats: ServerStats) => void>()
  const ready = await new Promise<Extract<ServerMessage, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench ${role} process exited with ${String(code)}`)))
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') resolve(message)
      else pending.get(message.id)?.(message.stats)
    })
  })
  return {
    wsUrl: ready.wsUrl,
    serviceUrls: ready.serviceUrls,
    stats(collect = true) {
      const id = (nextId += 1)
      return new Promise((resolve) => {
        pending.set(id, resolve)
        child.send({ type: 'stats', id, collect } satisfies ServerRequest)
      })
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' } satisfies ServerRequest)
      await exited
      children.delete(child)
    },
  }
}

/** A throw-away redis-server on loopback (no persistence), for the Redis Streams log. */
export async function startRedis(): Promise<{ readonly url: string; stop(): void }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  children.add(child)
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => undefined)
    const up = await probe.connect().then(
      () => probe.ping(),
      () => null,
    )
    probe.disconnect()
    if (up === 'PONG') break
    if (Date.now() > deadline) throw new Error('redis-server did not start (is it installed?)')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url, stop: () => void child.kill('SIGTERM') }
}
