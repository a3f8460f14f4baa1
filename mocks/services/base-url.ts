import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

/** The base URL a listening service is reached at, e.g. `http://127.0.0.1:4001` (no trailing slash). */
export function baseUrlOf(app: FastifyInstance): string {
  // listen() has resolved, so the server is bound to a TCP address (not a pipe).
  const { address, family, port } = app.server.address() as AddressInfo
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address
  return family === 'IPv6' || host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`
}
