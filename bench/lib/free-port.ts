import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'

/**
 * A loopback port that was free a moment ago. The BFF logs at warn level in
 * the benchmark, so it never prints the port it bound; we choose it instead.
 * The gap between closing and the child binding is a race we accept on a
 * single machine.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Lowest port `restartablePort` hands out: clear of the well-known and most registered services. */
const RESTARTABLE_LOW = 10_000

/** The first port the kernel hands to bind(0) and outgoing connections (Linux), or its usual default. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > RESTARTABLE_LOW ? low : 32_768
  } catch {
    return 32_768
  }
}

async function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/**
 * A free loopback port for a server that is stopped and started again on the
 * same port (a restarted Redis, a balancer's backend), with `alsoFree`
 * offsets (e.g. a Redis cluster node's bus port, +10 000) free as well.
 *
 * Below the kernel's ephemeral range, unlike `freePort()`: while its owner is
 * down, an ephemeral port goes to the next bind(0) of any process, and the
 * balancer then routes to a stranger (another test's server, with its own
 * rate limits and counters), or clients reconnect to the wrong Redis. bind(0)
 * never returns a port below the range, so only another caller of this
 * function could take it; it picks at random and checks.
 */
export async function restartablePort(alsoFree: readonly number[] = []): Promise<number> {
  const span = Math.max(0, ...alsoFree)
  const high = ephemeralLow() - span
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = RESTARTABLE_LOW + Math.floor(Math.random() * (high - RESTARTABLE_LOW))
    if ((await bindable(port)) && (await Promise.all(alsoFree.map((offset) => bindable(port + offset)))).every(Boolean)) return port
  }
  throw new Error(`no free port below ${high} for a server that restarts on the same port`)
}
