import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort, restartablePort } from '../../../bench/lib/free-port.js'

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])

async function listenOn(port: number): Promise<() => Promise<void>> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return () => new Promise<void>((resolve) => server.close(() => resolve()))
}

describe('ports for servers that restart on the same port', () => {
  it('are below the kernel ephemeral range, so no bind(0) can take them while their server is down', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => restartablePort()))
    for (const port of ports) expect(port).toBeLessThan(ephemeralLow)
    // What the other servers of the tests get: inside the range.
    expect(await freePort()).toBeGreaterThanOrEqual(ephemeralLow)
    const close = await listenOn(ports[0] as number)
    await close()
  })

  it('keep the offset ports (a cluster bus) below the range and free too', async () => {
    const port = await restartablePort([10_000])
    expect(port + 10_000).toBeLessThan(ephemeralLow)
    const closeBus = await listenOn(port + 10_000)
    const closeNode = await listenOn(port)
    await Promise.all([closeBus(), closeNode()])
  })
})
