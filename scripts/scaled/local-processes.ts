import { spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { request } from 'undici'
import { spawnChild, type BenchChild } from '../../bench/lib/child-processes.js'
import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { shippedNodeFlags } from '../node-flags.js'
import { distEntry } from './paths.js'

/** Fails early, with the install command, when a program the topology needs is missing. */
export function requireProgram(program: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${program}`]).status === 0
  if (!found) throw new Error(`${program} not found: install it (Debian: apt-get install ${debianPackage})`)
}

/** Polls `check` every 50 ms until it holds, the child dies, or `timeoutMs` passes. */
export async function until(what: string, child: BenchChild | null, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child !== null && child.process.exitCode !== null) throw new Error(`${child.name} exited (${child.process.exitCode}) before ${what}:\n${child.stderr()}`)
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms${child === null ? '' : `:\n${child.stderr()}`}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** GET `url` on a connection of its own; the status, or 0 when nothing answered. */
export async function statusOf(url: string): Promise<number> {
  const response = await request(url, { headers: { connection: 'close' }, headersTimeout: 2_000, bodyTimeout: 2_000 })
  await response.body.dump()
  return response.statusCode
}

/** PING over a raw socket: true once redis-server answers +PONG. */
export function redisPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(1_000, () => socket.destroy())
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.once('error', () => resolve(false))
    socket.once('close', () => resolve(false))
  })
}

/**
 * A private redis-server as deploy/compose.yaml runs Redis: append-only file
 * (the event log survives a restart), eviction events on.
 */
export async function startRedisServer(port: number, dir: string): Promise<BenchChild> {
  const child = spawnChild({
    name: 'redis-server',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--notify-keyspace-events', 'Ee'],
    env: { PATH: process.env['PATH'] ?? '' },
  })
  await until(`redis-server on ${port}`, child, () => redisPong(port), 15_000)
  return child
}

export interface MocksChild {
  readonly child: BenchChild
  readonly urls: Readonly<Record<ServiceName, string>>
  /** The identity provider's base URL (its issuer). */
  readonly authUrl: string
}

/** The seven mocks and the event generator in their own process, on free ports, publishing to `redisUrl`. */
export async function startMocksChild(redisUrl: string, eventsIntervalMs: number, extraArgs: readonly string[] = []): Promise<MocksChild> {
  const args = [distEntry('mocks/start-mocks.js'), '--host', '127.0.0.1', '--events-interval', String(eventsIntervalMs), ...extraArgs]
  for (const name of SERVICE_NAMES) args.push('--port', `${name}=0`)
  const child = spawnChild({ name: 'mocks', command: process.execPath, args, env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redisUrl } })
  await until('the mocks to print their URLs', child, async () => child.stdout().includes('event log'))
  const urls: Partial<Record<ServiceName, string>> = {}
  for (const line of child.stdout().split('\n')) {
    const [name, url] = line.trim().split(/\s+/)
    if (name !== undefined && url !== undefined && (SERVICE_NAMES as readonly string[]).includes(name)) urls[name as ServiceName] = url
  }
  const missing = SERVICE_NAMES.filter((name) => urls[name] === undefined)
  if (missing.length > 0) throw new Error(`the mocks printed no URL for ${missing.join(', ')}`)
  const authUrl = child.stdout().split('\n').map((line) => line.trim().split(/\s+/)).find(([name]) => name === 'auth')?.[1]
  if (authUrl === undefined) throw new Error('the mocks printed no URL for auth')
  return { child, urls: urls as Record<ServiceName, string>, authUrl }
}

/**
 * `node <config.nodeFlags> dist/src/server.js` on `port`. The child is handed
 * to `onSpawn` at once (so whoever stops the topology can stop it even while
 * it boots); resolves once its own /health/ready answers 200.
 */
export async function startBffChild(name: string, port: number, env: Readonly<Record<string, string>>, onSpawn: (child: BenchChild) => void): Promise<BenchChild> {
  const child = spawnChild({
    name,
    command: process.execPath,
    args: [...shippedNodeFlags(), distEntry('src/server.js')],
    env: { PATH: process.env['PATH'] ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
  })
  onSpawn(child)
  await until(`${name} ready on ${port}`, child, async () => (await statusOf(`http://127.0.0.1:${port}/health/ready`)) === 200)
  return child
}

/** HAProxy in the foreground (-db) with `configPath`, listening on `bind` (LB_BIND). */
export function spawnHaproxy(configPath: string, bind: string): BenchChild {
  return spawnChild({ name: 'haproxy', command: 'haproxy', args: ['-db', '-f', configPath], env: { PATH: process.env['PATH'] ?? '', LB_BIND: bind } })
}
