import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { restartablePort } from '../../bench/lib/free-port.js'
import { waitFor } from './wait-for.js'

/** A real redis-server owned by one test file: start, kill, freeze, restart. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** SIGKILL: the server disappears mid-flight. */
  kill(): Promise<void>
  /** SIGSTOP: the socket stays open but nothing answers. */
  freeze(): void
  /** SIGCONT after freeze(). */
  resume(): void
  /** Starts it again on the same port (after kill()). */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface RedisServerOptions {
  /** appendonly persistence (survives restart). @default false */
  readonly persistent?: boolean
  /** Extra redis-server arguments. */
  readonly args?: readonly string[]
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/** Spawns `redis-server` on a free port with a private data dir. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  // restart() takes the same port again: one no other process's bind(0) can take while it is down.
  const port = await restartablePort()
  const dir = await mkdtemp(join(tmpdir(), 'bff-redis-'))
  let child: ChildProcess | null = null

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', options.persistent ? 'yes' : 'no', '--appendfsync', 'always', ...(options.args ?? [])]
    child = spawn('redis-server', args, { stdio: 'ignore' })
    await waitFor(() => ping(port), { timeoutMs: 10_000, message: `redis-server on ${port}` })
  }

  const killChild = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child
    if (current === null || current.exitCode !== null || current.signalCode !== null) return
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()))
    current.kill('SIGCONT')
    current.kill(signal)
    await exited
    child = null
  }

  await launch()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => killChild('SIGKILL'),
    freeze: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    restart: launch,
    async stop() {
      await killChild('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A client for a test's own commands: fails fast, reconnects every 50 ms, ignores errors (the server is killed on purpose). */
export function testClient(server: Pick<RedisServer, 'port'>): Redis {
  const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 })
  client.on('error', () => undefined)
  return client
}

/**
 * A redis-server and a test client for the enclosing describe block: started
 * in its beforeAll, stopped in its afterAll. Read the fields inside tests.
 */
export function redisServerPerSuite(options: RedisServerOptions = {}): { readonly server: RedisServer; readonly client: Redis } {
  let server: RedisServer | null = null
  let client: Redis | null = null
  beforeAll(async () => {
    server = await startRedisServer(options)
    client = testClient(server)
  })
  afterAll(async () => {
    client?.disconnect()
    await server?.stop()
  })
  const started = <T>(value: T | null): T => {
    if (value === null) throw new Error('redisServerPerSuite: read the server and client inside a test or hook')
    return value
  }
  return {
    get server() {
      return started(server)
    },
    get client() {
      return started(client)
    },
  }
}
