import { execFile } from 'node:child_process'
import { mkdir, rm, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { waitFor } from './wait-for.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LOCK = `${ROOT}dist/.build-lock`
let built: Promise<string> | undefined

/**
 * Compiles the project into dist/ (as `npm run build`, incrementally) for the
 * tests that run the BFF as a real process, the way it ships. Test files run
 * in parallel workers: a lock directory (mkdir is atomic) lets one compile
 * while the others wait. Resolves with the repository root.
 */
export function ensureBuilt(): Promise<string> {
  built ??= (async () => {
    await mkdir(`${ROOT}dist`, { recursive: true })
    await waitFor(
      async () => {
        try {
          await mkdir(LOCK)
          return true
        } catch {
          // A lock older than any build is a crashed run's: take it over.
          const { mtimeMs } = await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))
          if (Date.now() - mtimeMs > 180_000) await rm(LOCK, { recursive: true, force: true })
          return false
        }
      },
      { timeoutMs: 180_000, intervalMs: 200, message: 'the dist/ build lock' },
    )
    try {
      const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
      await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], {
        cwd: ROOT,
      })
    } finally {
      await rm(LOCK, { recursive: true, force: true })
    }
    return ROOT
  })()
  return built
}
