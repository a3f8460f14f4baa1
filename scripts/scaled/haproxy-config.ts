import { readFileSync } from 'node:fs'
import { REPO_ROOT } from './paths.js'

const BEGIN = '# --- servers ---'
const END = '# --- end servers ---'

export interface BackendServer {
  readonly name: string
  readonly port: number
}

/**
 * deploy/haproxy/haproxy.cfg, the load balancer of the container topology,
 * with its DNS-discovered servers (checked ones, and the unchecked `panic-`
 * backups) replaced by local processes: everything else (balancing, health checks, timeouts, retries) is the same file.
 */
export function localHaproxyConfig(servers: readonly BackendServer[], source = `${REPO_ROOT}deploy/haproxy/haproxy.cfg`): string {
  const text = readFileSync(source, 'utf8')
  const begin = text.indexOf(BEGIN)
  const end = text.indexOf(END)
  if (begin < 0 || end < begin) throw new Error(`${source}: the "${BEGIN}" … "${END}" markers are missing`)
  const lines = [
    ...servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    ...servers.map((server) => `  server panic-${server.name} 127.0.0.1:${server.port} backup`),
  ]
  return `${text.slice(0, begin)}${BEGIN}\n${lines.join('\n')}\n  ${text.slice(end)}`
}
