import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Clock ticks per second for /proc times; 100 on every Linux we run on, but
 * asked rather than assumed.
 */
export const CLOCK_TICKS_PER_S = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100
  } catch {
    return 100
  }
})()

/**
 * User + system CPU time (ms) consumed so far by a process and all its threads
 * (libuv pool, GC helpers), from /proc/<pid>/stat. Reading it from outside
 * needs no cooperation from the server, so the BFF and the baseline are
 * measured the same way.
 */
export function cpuTimeMs(pid: number): number {
  const { cpuTicks } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  if (!Number.isFinite(cpuTicks)) throw new Error(`unreadable /proc/${pid}/stat`)
  return (cpuTicks * 1_000) / CLOCK_TICKS_PER_S
}

/** One `/proc/<pid>/stat` line: "pid (comm) state ppid … utime stime …" (proc(5)); CPU in clock ticks. */
export function parseProcStat(stat: string): { readonly name: string; readonly ppid: number; readonly cpuTicks: number } {
  // comm may hold spaces and parentheses, so fields are counted from its last closing paren.
  const close = stat.lastIndexOf(')')
  const fields = stat.slice(close + 2).split(' ')
  // utime and stime are fields 14 and 15 of the full line, i.e. 11 and 12 after comm.
  return { name: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) }
}
