/**
 * `npm run bench [-- --mode cpu]`: the home-query benchmark. Starts
 * the mocks and the servers as child processes on loopback, drives load for a
 * fixed time, prints the figures, and stops every child on the way out —
 * normal end, error or Ctrl-C — so no process is left holding ports or CPU.
 */
import { parseBenchOptions, USAGE } from '../lib/bench-options.js'
import { stopAll, stopChildrenOnExit } from '../lib/child-processes.js'
import { runCpuMode } from './cpu-mode.js'
import { runLatencyMode } from './latency-mode.js'

const signals = stopChildrenOnExit('home-bench')

async function main(): Promise<number> {
  let options
  try {
    options = parseBenchOptions(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`home-bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 2
  }
  if (options === null) {
    process.stdout.write(USAGE)
    return 0
  }
  if (options.warmupS < 5) process.stderr.write('home-bench: warm-up under 5 s; figures will include JIT warm-up\n')
  try {
    await (options.mode === 'cpu' ? runCpuMode(options) : runLatencyMode(options))
    return 0
  } catch (error) {
    // After Ctrl-C the children were killed under the running step; its failure is expected noise.
    if (signals.interrupted) return 130
    process.stderr.write(`home-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 1
  } finally {
    // Graceful stop, so servers run under --cpu-prof write their profiles.
    await stopAll()
  }
}

process.exitCode = await main()
