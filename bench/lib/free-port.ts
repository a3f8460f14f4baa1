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
