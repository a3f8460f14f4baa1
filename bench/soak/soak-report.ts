import type { HostileOutcomes } from './hostile-requests.js'
import type { MemoryReading } from './memory-probe.js'

/** A reading in the report: when it was taken and whether a full collection ran just before. */
export interface Moment {
  readonly label: string
  readonly afterGc: boolean
  readonly reading: MemoryReading
}

/** The target: heap after GC, every socket closed, within this share of its start. */
export const HEAP_TOLERANCE = 0.1

const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1)
const ratio = (value: number, base: number): string => (base > 0 ? `×${(value / base).toFixed(2)}` : '–')

/** The start/peak/end table, in MB and as ratios to the start (the machine is shared: ratios travel better). */
export function memoryTable(moments: readonly Moment[], start: MemoryReading, peakRss: number): string {
  const rows = moments.map(({ label, afterGc, reading }) => {
    const heap = afterGc ? `${mb(reading.heapUsed)} (${ratio(reading.heapUsed, start.heapUsed)})` : `(${mb(reading.heapUsed)}, no GC)`
    return `| ${label} | ${heap} | ${mb(reading.rss)} (${ratio(reading.rss, start.rss)}) | ${mb(reading.heapTotal)} | ${mb(reading.oldSpaceUsed)} / ${mb(reading.oldSpaceCommitted)} | ${mb(reading.external)} |`
  })
  return [
    '| moment | heap used after GC, MB | RSS, MB | heap committed, MB | old space used / committed, MB | external, MB |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    `| peak RSS (5 s samples) | | ${mb(peakRss)} (${ratio(peakRss, start.rss)}) | | | |`,
  ].join('\n')
}

export function verdict(start: MemoryReading, end: MemoryReading): { readonly pass: boolean; readonly line: string } {
  const change = (end.heapUsed - start.heapUsed) / start.heapUsed
  const pass = change <= HEAP_TOLERANCE
  const sign = change >= 0 ? '+' : ''
  return {
    pass,
    line: `${pass ? 'PASS' : 'FAIL'}: heap after GC with every socket closed ${mb(end.heapUsed)} MB vs ${mb(start.heapUsed)} MB at start (${sign}${(change * 100).toFixed(1)} %, target <= +${HEAP_TOLERANCE * 100} %)`,
  }
}

export function hostileTable(outcomes: HostileOutcomes): string {
  const rows = [...outcomes].map(([name, byOutcome]) => {
    const cells = [...byOutcome].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, count]) => `${outcome} ×${count}`)
    return `  ${name.padEnd(34)} ${cells.join(', ')}`
  })
  return rows.join('\n')
}
