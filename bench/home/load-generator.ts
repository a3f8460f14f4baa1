import { fileURLToPath } from 'node:url'
import { isRecord } from '../lib/admin-client.js'
import { spawnChild } from '../lib/child-processes.js'
import type { LoadOptions, LoadResult } from '../lib/load-result.js'
import { findWrk, runWrk } from './wrk-load.js'

/** Runs load from a process other than the bench and the servers. */
export type ExternalLoad = (options: LoadOptions) => Promise<LoadResult>

const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.js', import.meta.url))

async function runAutocannonChild(options: LoadOptions): Promise<LoadResult> {
  const child = spawnChild({
    name: 'autocannon',
    command: process.execPath,
    args: [AUTOCANNON_CHILD, JSON.stringify(options)],
    env: { PATH: process.env['PATH'] ?? '' },
  })
  const code = await child.exited
  const parsed: unknown = code === 0 ? JSON.parse(child.stdout().trim().split('\n').at(-1) ?? 'null') : null
  if (!isRecord(parsed)) throw new Error(`autocannon child failed (exit ${String(code)}):\n${child.stderr()}`)
  // Our own child printed a LoadResult; the shape was checked by its producer.
  return parsed as unknown as LoadResult
}

/** wrk when installed (it outruns autocannon here), else autocannon in a child process. */
export function externalLoad(): { readonly run: ExternalLoad; readonly description: string } {
  const wrk = findWrk()
  if (wrk !== null) return { run: (options) => runWrk(wrk, options), description: `wrk (${wrk})` }
  return { run: runAutocannonChild, description: 'autocannon in a child process (wrk not found: apt-get install -y wrk)' }
}
