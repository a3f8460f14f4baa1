import { readdirSync, readFileSync } from 'node:fs'
import { CLOCK_TICKS_PER_S, parseProcStat } from '../lib/process-cpu.js'

/**
 * CPU taken by kernel threads during a measurement, as a machine condition
 * for the report. On the 2-vCPU machines here the kernel's DAMON thread
 * (`kdamond.0`, sampling memory access every 500 ms) holds one vCPU for
 * 15–25 ms about twice a second under load: every process on the machine
 * stalls with it, and the paced p99 shows it (docs/benchmarks.md, "The
 * machine's share of the tail"). Linux only; elsewhere it reports nothing.
 */
export interface KernelThreadsMeter {
  /** CPU per kernel thread name since the meter started, busiest first, in % of one CPU. */
  stop(): readonly KernelThreadShare[]
}

export interface KernelThreadShare {
  readonly name: string
  readonly percentOfOneCpu: number
}

/** kthreadd's pid: every kernel thread is its child. */
const KTHREADD = 2

interface KernelThreadTicks {
  readonly name: string
  readonly cpuTicks: number
}

/**
 * utime + stime in clock ticks per kernel thread, by pid: a kworker's name
 * changes with the work it runs ("kworker/u8:1-events_unbound"), so names
 * cannot key two readings.
 */
function kernelThreadTicks(): Map<number, KernelThreadTicks> {
  const ticks = new Map<number, KernelThreadTicks>()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return ticks
  }
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // Exited meanwhile.
    }
    const thread = parseProcStat(stat)
    if (thread.ppid === KTHREADD) ticks.set(Number(pid), { name: thread.name, cpuTicks: thread.cpuTicks })
  }
  return ticks
}

/** A kernel thread's name without the work item a kworker is running: "kworker/u8:1-events_unbound" → "kworker/u8:1". */
export function threadGroup(name: string): string {
  return name.replace(/^(kworker\/[^-]+)-.*$/, '$1')
}

export function startKernelThreadsMeter(): KernelThreadsMeter {
  const before = kernelThreadTicks()
  const startedMs = performance.now()
  return {
    stop() {
      const elapsedS = (performance.now() - startedMs) / 1_000
      // By name at the end, threads of one name summed.
      const used = new Map<string, number>()
      for (const [pid, now] of kernelThreadTicks()) {
        const delta = now.cpuTicks - (before.get(pid)?.cpuTicks ?? 0)
        const name = threadGroup(now.name)
        if (delta > 0) used.set(name, (used.get(name) ?? 0) + delta)
      }
      const shares = [...used].map(([name, ticks]) => ({ name, percentOfOneCpu: (ticks / CLOCK_TICKS_PER_S / elapsedS) * 100 }))
      return shares.sort((a, b) => b.percentOfOneCpu - a.percentOfOneCpu)
    },
  }
}
