import { readFileSync } from 'node:fs'

/** package.json at the repository root, from scripts/ or dist/scripts/ alike. */
const PACKAGE_JSON = new URL(import.meta.url.includes('/dist/') ? '../../package.json' : '../package.json', import.meta.url)

/**
 * The V8 flags the BFF ships with, defined once: package.json
 * `config.nodeFlags`, which the start scripts pass as
 * `node $npm_package_config_nodeFlags …`. Everything else that starts a BFF
 * (benchmarks, `start:scaled`, the deployment tests) reads them from here; the
 * Dockerfile's CMD spells them out and a test keeps it in step. Why each flag:
 * docs/benchmarks.md ("Where the tail came from", "Node 24").
 */
export function shippedNodeFlags(packageJson: URL = PACKAGE_JSON): readonly string[] {
  const parsed: unknown = JSON.parse(readFileSync(packageJson, 'utf8'))
  const config = typeof parsed === 'object' && parsed !== null ? (parsed as { config?: { nodeFlags?: unknown } }).config : undefined
  const flags = config?.nodeFlags
  if (typeof flags !== 'string' || flags.trim() === '') throw new Error(`${packageJson.pathname}: config.nodeFlags must be a non-empty string`)
  return flags.trim().split(/\s+/)
}
