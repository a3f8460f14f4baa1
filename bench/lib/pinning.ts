import { execFileSync } from 'node:child_process'

/** The core the servers under test get in pinned runs; everything else (bench, mocks, load) runs on the other. */
export const SERVER_CPU = '0'
export const OTHER_CPU = '1'

/**
 * Pins this process (all its threads) to the other core; the mocks and the
 * load generator it starts afterwards inherit the affinity.
 */
export function pinSelf(): void {
  execFileSync('taskset', ['-a', '-pc', OTHER_CPU, String(process.pid)], { stdio: 'ignore' })
}
