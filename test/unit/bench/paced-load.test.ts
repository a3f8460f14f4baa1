import { describe, expect, it } from 'vitest'
import { threadGroup } from '../../../bench/cache/kernel-threads.js'
import { parseProcStat } from '../../../bench/lib/process-cpu.js'
import { poolPaced, type PacedResult } from '../../../bench/lib/paced-load.js'

function run(latenciesMs: number[], errors = 0): PacedResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b)
  return {
    requests: sorted.length,
    durationS: 1,
    reqPerS: sorted.length,
    latencyMs: { p50: Number.NaN, p97_5: Number.NaN, p99: Number.NaN },
    non2xx: errors,
    socketErrors: 0,
    graphqlErrors: 0,
    generator: 'paced',
    latenciesMs: sorted,
  }
}

describe('poolPaced', () => {
  it('takes quantiles over every sample, so one bad round shows in the p99', () => {
    const calm = run(Array.from({ length: 99 }, () => 2))
    const stalled = run([...Array.from({ length: 97 }, () => 2), 40, 50])
    const pooled = poolPaced([calm, stalled])
    expect(pooled.latencyMs.p50).toBe(2)
    // 198 samples: the 2 slow ones are the top 1 %, so p99 (nearest rank 197) is the lesser.
    expect(pooled.latencyMs.p99).toBe(40)
    expect(pooled.latenciesMs).toHaveLength(198)
  })

  it('sums counts and durations', () => {
    const pooled = poolPaced([run([1, 2], 1), run([3], 2)])
    expect(pooled).toMatchObject({ requests: 3, durationS: 2, reqPerS: 1.5, non2xx: 3 })
  })
})

describe('parseProcStat', () => {
  it('reads name, parent and CPU ticks, whatever the name holds', () => {
    // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
    const fields = 'S 2 0 0 0 -1 2129984 0 0 0 0 1500 498 0 0 20 0 1 0 5'
    expect(parseProcStat(`77 (kdamond.0) ${fields}`)).toEqual({ name: 'kdamond.0', ppid: 2, cpuTicks: 1998 })
    expect(parseProcStat(`81 (a (b) c) ${fields}`)).toEqual({ name: 'a (b) c', ppid: 2, cpuTicks: 1998 })
  })

  it('groups a kworker under one name whatever work item it runs', () => {
    expect(threadGroup('kworker/u8:1-events_unbound')).toBe('kworker/u8:1')
    expect(threadGroup('kworker/u8:1-kvfree_rcu_reclaim')).toBe('kworker/u8:1')
    expect(threadGroup('kdamond.0')).toBe('kdamond.0')
    expect(threadGroup('rcu_preempt')).toBe('rcu_preempt')
  })
})
