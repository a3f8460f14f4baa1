import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { killAllNow, type BenchChild } from '../../bench/lib/child-processes.js'
import { freePort, restartablePort } from '../../bench/lib/free-port.js'
import type { ServiceName } from '../../src/config/services.js'
import { localHaproxyConfig } from './haproxy-config.js'
import { requireProgram, spawnHaproxy, startBffChild, startMocksChild, startRedisServer, statusOf, until } from './local-processes.js'

export interface TopologyOptions {
  /** BFF processes behind the balancer. */
  readonly instances: number
  /** Where HAProxy listens, e.g. `*:4000` or `127.0.0.1:0` (0: a free port). */
  readonly bind: string
  /** An existing Redis; null starts a private redis-server (append-only) on a free port. */
  readonly redisUrl: string | null
  /** Event generator period in ms; 0 = off. */
  readonly eventsIntervalMs: number
  /** Extra flags for the mocks (start-mocks' --latency and the like). */
  readonly mocksArgs?: undefined | readonly string[]
  /**
   * The BFFs trust the mocks' identity provider, orders and notifications check the relayed token,
   * and GraphiQL gets development tokens, as in `npm start`. @default false: AUTH_DISABLED=true (benchmarks)
   */
  readonly auth?: undefined | boolean
  /** Environment of every BFF on top of the topology's own (Redis, mock URLs, SHUTDOWN_DELAY_MS). */
  readonly bffEnv?: undefined | Readonly<Record<string, string>>
}

export interface Topology {
  /** The balancer, e.g. http://127.0.0.1:4000 */
  readonly url: string
  readonly redisUrl: string
  readonly mocksUrls: Readonly<Record<ServiceName, string>>
  /** Per slot: the running BFF (null while stopped) and the port it always uses. */
  readonly instances: readonly { readonly name: string; readonly port: number; readonly child: BenchChild | null }[]
  /** Signals slot `index`'s BFF and waits for its exit; resolves with its exit code (null when killed). */
  stopInstance(index: number, signal: NodeJS.Signals): Promise<number | null>
  /** Starts slot `index` again on its port and waits until the balancer routes to it. */
  startInstance(index: number): Promise<void>
  /** The private Redis only: SIGTERM (it writes its append-only file), then start it again on the same port and data. */
  restartRedis(): Promise<void>
  /** Every process of the topology that is running, by name (bff1…, haproxy, mocks, redis-server). */
  processes(): readonly { readonly name: string; readonly pid: number }[]
  /** What HAProxy has logged (server state changes, at least). */
  balancerLog(): string
  /** Stops everything: the balancer first, then the BFFs (SIGINT: no shutdown delay), the mocks and Redis. */
  stop(): Promise<void>
}

/**
 * A shutdown delay the balancer outlasts: HAProxy takes an instance out about
 * 1.5 s after /health/ready fails, later when checks are slow to answer
 * (deploy/haproxy/haproxy.cfg), as in compose.
 */
export const LOCAL_SHUTDOWN_DELAY_MS = 5_000

/**
 * The multi-instance topology on one machine, with real processes and no
 * containers: Redis, the mocks with the event generator, N BFF processes
 * with the shipped node flags, and HAProxy with the deploy/ configuration in
 * front. `npm run start:scaled` and the tests in test/integration/scale/ run it.
 */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  // Whatever way the starting process ends (a crashed test, process.exit), no redis-server, BFF or HAProxy outlives it.
  if (!process.listeners('exit').includes(killAllNow)) process.on('exit', killAllNow)
  requireProgram('haproxy', 'haproxy')
  if (options.redisUrl === null) requireProgram('redis-server', 'redis-server')
  const dir = await mkdtemp(join(tmpdir(), 'bff-scaled-'))
  const started: BenchChild[] = []
  let redis: BenchChild | null = null
  let haproxy: BenchChild | null = null
  // Both restart on the same port in the tests: never one the kernel could hand to another process meanwhile.
  const redisPort = options.redisUrl === null ? await restartablePort() : 0
  const redisUrl = options.redisUrl ?? `redis://127.0.0.1:${redisPort}`
  const slots: { name: string; port: number; child: BenchChild | null }[] = []

  const stop = async (): Promise<void> => {
    await haproxy?.stop()
    await Promise.all(slots.map(async (slot) => stopChild(slot.child, 'SIGINT')))
    await Promise.all(started.map((child) => stopChild(child, 'SIGTERM')))
    await stopChild(redis, 'SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }

  try {
    if (options.redisUrl === null) redis = await startRedisServer(redisPort, dir)
    const auth = options.auth === true
    const mocks = await startMocksChild(redisUrl, options.eventsIntervalMs, [...(auth ? ['--require-identity'] : []), ...(options.mocksArgs ?? [])])
    started.push(mocks.child)
    const bffEnv: Record<string, string> = {
      LOG_LEVEL: 'warn',
      REDIS_URL: redisUrl,
      SHUTDOWN_DELAY_MS: String(LOCAL_SHUTDOWN_DELAY_MS),
      ...(auth
        ? { AUTH_JWKS_URL: `${mocks.authUrl}/.well-known/jwks.json`, AUTH_ISSUER: mocks.authUrl, GRAPHIQL_DEV_TOKEN_URL: `${mocks.authUrl}/token` }
        : { AUTH_DISABLED: 'true' }),
      // HAProxy runs on this host and adds X-Forwarded-For; while Redis is down each instance allows its share.
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_INSTANCES_HINT: String(options.instances),
      ...Object.fromEntries(Object.entries(mocks.urls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url])),
      ...options.bffEnv,
    }
    for (let index = 0; index < options.instances; index += 1) slots.push({ name: `bff${index + 1}`, port: await restartablePort(), child: null })
    await Promise.all(slots.map((slot) => startBffChild(slot.name, slot.port, bffEnv, (child) => (slot.child = child))))

    const bindPort = Number(options.bind.slice(options.bind.lastIndexOf(':') + 1))
    const bind = bindPort === 0 ? `${options.bind.slice(0, options.bind.lastIndexOf(':'))}:${await freePort()}` : options.bind
    const configPath = join(dir, 'haproxy.cfg')
    await writeFile(configPath, localHaproxyConfig(slots))
    haproxy = spawnHaproxy(configPath, bind)
    const host = bind.startsWith('*:') ? '127.0.0.1' : bind.slice(0, bind.lastIndexOf(':'))
    const url = `http://${host}:${bind.slice(bind.lastIndexOf(':') + 1)}`
    await until('HAProxy routing to the BFFs', haproxy, async () => (await statusOf(`${url}/health/ready`)) === 200)

    return {
      url,
      redisUrl,
      mocksUrls: mocks.urls,
      instances: slots,
      async stopInstance(index, signal) {
        const slot = slotAt(slots, index)
        const child = slot.child
        if (child === null) return null
        child.process.kill(signal)
        const code = await child.exited
        slot.child = null
        return code
      },
      async startInstance(index) {
        const slot = slotAt(slots, index)
        const child = await startBffChild(slot.name, slot.port, bffEnv, (spawned) => (slot.child = spawned))
        // HAProxy marks it up after two good checks; until then it sends nothing there.
        await until(`HAProxy to route to ${slot.name}`, child, async () => (await servedBy(url)).has(slot.name))
      },
      async restartRedis() {
        if (redis === null) throw new Error('restartRedis: Redis is external (REDIS_URL)')
        await stopChild(redis, 'SIGTERM')
        redis = await startRedisServer(redisPort, dir)
      },
      processes: () =>
        [haproxy, redis, ...started, ...slots.map((slot) => slot.child)]
          .filter((child): child is BenchChild => child !== null && child.process.exitCode === null)
          .map((child) => ({ name: child.name, pid: child.pid })),
      balancerLog: () => `${haproxy?.stdout() ?? ''}${haproxy?.stderr() ?? ''}`,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

function slotAt<T>(slots: readonly T[], index: number): T {
  const slot = slots[index]
  if (slot === undefined) throw new RangeError(`no instance ${index}`)
  return slot
}

async function stopChild(child: BenchChild | null, signal: NodeJS.Signals): Promise<void> {
  if (child === null || child.process.exitCode !== null || child.process.signalCode !== null) return
  child.process.kill(signal)
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000)
  await child.exited
  clearTimeout(timer)
}

/** Instances that answered a few /health/live requests through the balancer (HAProxy's x-served-by). */
async function servedBy(url: string): Promise<ReadonlySet<string>> {
  const names = new Set<string>()
  for (let i = 0; i < 6; i += 1) {
    const response = await request(`${url}/health/live`, { headers: { connection: 'close' } })
    await response.body.dump()
    const name = response.headers['x-served-by']
    if (typeof name === 'string') names.add(name)
  }
  return names
}
