import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isRecord } from '../lib/admin-client.js'
import { spawnChild } from '../lib/child-processes.js'
import type { LoadOptions, LoadResult } from '../lib/load-result.js'
import { WRK_RESULT_MARKER, wrkScript } from './wrk-script.js'

/** The wrk binary on PATH (Debian's `wrk` package), or null. */
export function findWrk(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

function numberField(record: Readonly<Record<string, unknown>>, key: string): number {
  const value = record[key]
  if (typeof value !== 'number') throw new Error(`wrk result lacks ${key}`)
  return value
}

/**
 * One wrk run against the BFF or the baseline. wrk is a separate, native
 * process with one thread: it generates load far more cheaply than Node, so
 * at ~1 ms downstream latency the server, not the load generator, is what
 * saturates.
 */
export async function runWrk(wrk: string, options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'home-bench-'))
  try {
    const script = join(dir, `${options.kind}.lua`)
    writeFileSync(script, wrkScript(options.kind, options.bearerToken))
    const threads = 1
    const child = spawnChild({
      name: 'wrk',
      command: wrk,
      args: ['-t', String(threads), '-c', String(options.connections), '-d', `${options.durationS}s`, '--timeout', '10s', '-s', script, options.origin],
      env: { PATH: process.env['PATH'] ?? '' },
    })
    const code = await child.exited
    const line = child
      .stdout()
      .split('\n')
      .find((l) => l.startsWith(WRK_RESULT_MARKER))
    if (code !== 0 || line === undefined) throw new Error(`wrk failed (exit ${String(code)}):\n${child.stdout()}\n${child.stderr()}`)
    const parsed: unknown = JSON.parse(line.slice(WRK_RESULT_MARKER.length))
    if (!isRecord(parsed)) throw new Error(`unreadable wrk result: ${line}`)
    const requests = numberField(parsed, 'requests')
    const durationS = numberField(parsed, 'durationUs') / 1e6
    return {
      requests,
      durationS,
      reqPerS: requests / durationS,
      latencyMs: {
        p50: numberField(parsed, 'p50Us') / 1_000,
        p97_5: numberField(parsed, 'p97_5Us') / 1_000,
        p99: numberField(parsed, 'p99Us') / 1_000,
      },
      non2xx: numberField(parsed, 'non2xx'),
      socketErrors: numberField(parsed, 'socketErrors'),
      graphqlErrors: numberField(parsed, 'graphqlErrors'),
      errorCodes: { DOWNSTREAM_OVERLOADED: numberField(parsed, 'overloaded'), DOWNSTREAM_TIMEOUT: numberField(parsed, 'timedOut') },
      generator: `wrk -t${threads} -c${options.connections} (separate process)`,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
