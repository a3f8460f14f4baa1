import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { restartablePort } from '../../bench/lib/free-port.js'
import { waitFor } from './wait-for.js'

/**
 * A real 3-master Redis Cluster (no replicas) owned by one test file. Nodes
 * are addressed by index into `ports`; outage tests kill, freeze and restart
 * one of them.
 */
export interface RedisCluster {
  readonly ports: readonly number[]
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, the form REDIS_CLUSTER_NODES takes. */
  readonly nodes: string
  /** `cluster-node-timeout` (ms): how long a silent master takes to be marked failing. */
  readonly nodeTimeoutMs: number
  /** A plain client per master, for INFO / FLUSHALL in tests. */
  eachNode<T>(fn: (client: Redis) => Promise<T>): Promise<T[]>
  /** The plain client of node `index` (it reconnects by itself after a restart). */
  node(index: number): Redis
  /** Index of the master serving `key`'s slot, as node `askIndex` sees the slot map. */
  ownerOf(key: string, askIndex?: number): Promise<number>
  /** SIGKILL node `index`: it disappears mid-flight. Its cluster config file stays for restart(). */
  kill(index: number): Promise<void>
  /**
   * Starts node `index` again on its port with its cluster config file, so it
   * rejoins as master of its old slots (with no data: nothing is persisted).
   * Resolves once it answers PING, not once the cluster is ok again (see waitOk).
   */
  restart(index: number): Promise<void>
  /** SIGSTOP node `index`: its sockets stay open but nothing answers, clients and cluster bus alike. */
  freeze(index: number): void
  /** SIGCONT after freeze(index). */
  resume(index: number): void
  /** `cluster_state` of node `index` (`ok` / `fail`), or null when it does not answer. */
  state(index: number): Promise<string | null>
  /** Waits until every node reports cluster_state:ok. */
  waitOk(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** Redis puts a cluster node's bus on its port + 10 000. */
const CLUSTER_BUS_OFFSET = 10_000

/** A free port whose cluster-bus port (+10 000) is free too; nodes restart on it, so none the kernel hands out. */
async function clusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = await restartablePort([CLUSTER_BUS_OFFSET])
    if (!taken.has(port) && !taken.has(port + CLUSTER_BUS_OFFSET)) return port
  }
  throw new Error('no free port pair for a redis cluster node')
}

async function run(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { stdio: 'ignore' })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}`)
}

/** `cluster-node-timeout` of every node (ms). */
const NODE_TIMEOUT_MS = 2_000

/** The `cluster_state` field of a CLUSTER INFO reply. */
function clusterState(info: unknown): string | null {
  return /^cluster_state:(\w+)/m.exec(String(info))?.[1] ?? null
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
    taken.add(port + CLUSTER_BUS_OFFSET)
    ports.push(port)
  }
  // Each node keeps its own cluster config file in `dir` until stop(): restart() relaunches it with the same one.
  const launch = (port: number): ChildProcess =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', String(NODE_TIMEOUT_MS)],
      { stdio: 'ignore' },
    )
  const children: ChildProcess[] = ports.map(launch)
  const clients = ports.map((port) => {
    // commandTimeout: a frozen node never answers, and no helper call may hang on it.
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50, commandTimeout: 1_000 })
    client.on('error', () => undefined)
    return client
  })
  const at = <T>(list: readonly T[], index: number): T => {
    const item = list[index]
    if (item === undefined) throw new RangeError(`redis cluster: no node ${index} (there are ${list.length})`)
    return item
  }
  const killChild = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }
  const state = async (index: number): Promise<string | null> => clusterState(await at(clients, index).cluster('INFO').catch(() => ''))
  const waitOk = async (timeoutMs = 15_000): Promise<void> => {
    await waitFor(async () => (await Promise.all(clients.map((_, index) => state(index)))).every((s) => s === 'ok'), {
      timeoutMs,
      message: 'cluster_state:ok on every node',
    })
  }
  const stop = async (): Promise<void> => {
    for (const client of clients) client.disconnect()
    // SIGKILL ends a stopped (frozen) process too.
    await Promise.all(children.map(killChild))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await Promise.all(clients.map((client) => client.connect().catch(() => undefined)))
    await waitFor(async () => (await Promise.all(clients.map((c) => c.ping().catch(() => null)))).every((r) => r === 'PONG'), {
      timeoutMs: 10_000,
      message: 'cluster nodes answering PING',
    })
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'])
    await waitOk()
  } catch (error) {
    await stop()
    throw error
  }
  return {
    ports,
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    nodeTimeoutMs: NODE_TIMEOUT_MS,
    eachNode: (fn) => Promise.all(clients.map(fn)),
    node: (index) => at(clients, index),
    async ownerOf(key, askIndex = 0) {
      const client = at(clients, askIndex)
      const slot = Number(await client.cluster('KEYSLOT', key))
      // CLUSTER SLOTS: [[start, end, [host, port, id, …] of the master, …replicas], …]
      const range = (await client.cluster('SLOTS')).find(([start, end]) => slot >= start && slot <= end)
      const owner = range?.[2] === undefined ? -1 : ports.indexOf(Number(range[2][1]))
      if (owner === -1) throw new Error(`redis cluster: no known master serves slot ${slot} of ${key}`)
      return owner
    },
    kill: (index) => killChild(at(children, index)),
    async restart(index) {
      const port = at(ports, index)
      const previous = at(children, index)
      if (previous.exitCode === null && previous.signalCode === null) throw new Error(`redis cluster: node ${index} is still running`)
      children[index] = launch(port)
      await waitFor(async () => (await at(clients, index).ping().catch(() => null)) === 'PONG', {
        timeoutMs: 10_000,
        message: `restarted cluster node on ${port} answering PING`,
      })
    },
    freeze: (index) => void at(children, index).kill('SIGSTOP'),
    resume: (index) => void at(children, index).kill('SIGCONT'),
    state,
    waitOk,
    stop,
  }
}
