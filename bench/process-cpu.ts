import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Clock ticks per second for /proc times; 100 on every Linux we run on, but
 * asked rather than assumed.
 */
const CLOCK_TICKS_PER_S = ((): number => {
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
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Field 2 (comm) is parenthesised and may hold spaces; count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the full line, i.e. 11 and 12 after comm.
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`)
  return ((utime + stime) * 1_000) / CLOCK_TICKS_PER_S
}
