import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { waitFor } from './wait-for.js'

/** A real 3-master Redis Cluster (no replicas) owned by one test file. */
export interface RedisCluster {
  readonly ports: readonly number[]
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, the form REDIS_CLUSTER_NODES takes. */
  readonly nodes: string
  /** A plain client per master, for INFO / FLUSHALL in tests. */
  eachNode<T>(fn: (client: Redis) => Promise<T>): Promise<T[]>
  stop(): Promise<void>
}

async function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A free port whose cluster-bus port (+10 000) is free too. */
async function clusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    if (taken.has(port) || taken.has(port + 10_000)) continue
    if ((await bindable(port)) && (await bindable(port + 10_000))) return port
  }
  throw new Error('no free port pair for a redis cluster node')
}

async function run(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { stdio: 'ignore' })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}`)
}

/**
 * Starts three `redis-server --cluster-enabled yes` nodes on free ports and
 * joins them with `redis-cli --cluster create … --cluster-replicas 0`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'bff-redis-cluster-'))
  const taken = new Set<number>()
  const ports: number[] = []
  for (let i = 0; i < 3; i += 1) {
    const port = await clusterPort(taken)
    taken.add(port)
    taken.add(port + 10_000)
    ports.push(port)
  }
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000'],
      { stdio: 'ignore' },
    ),
  )
  const clients = ports.map((port) => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    client.on('error', () => undefined)
    return client
  })
  const stop = async (): Promise<void> => {
    for (const client of clients) client.disconnect()
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = once(child, 'exit')
        child.kill('SIGKILL')
        await exited
      }),
    )
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await Promise.all(clients.map((client) => client.connect().catch(() => undefined)))
    await waitFor(async () => (await Promise.all(clients.map((c) => c.ping().catch(() => null)))).every((r) => r === 'PONG'), {
      timeoutMs: 10_000,
      message: 'cluster nodes answering PING',
    })
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'])
    await waitFor(
      async () =>
        (await Promise.all(clients.map((c) => c.cluster('INFO').catch(() => '')))).every((info) => String(info).includes('cluster_state:ok')),
      { timeoutMs: 15_000, message: 'cluster_state:ok on every node' },
    )
  } catch (error) {
    await stop()
    throw error
  }
  return {
    ports,
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    eachNode: (fn) => Promise.all(clients.map(fn)),
    stop,
  }
}
