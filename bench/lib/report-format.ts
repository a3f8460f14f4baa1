import { cpus, loadavg } from 'node:os'

/** Fixed decimals, for figures meant to be pasted into docs. */
export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')

/** Left-aligned label column, right-aligned values, so runs can be compared by eye. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
    .join('\n')
}

/** The machine's state, printed with every run: the box is shared and noisy. */
export function conditions(): string {
  const [one, five] = loadavg()
  return `${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})  loadavg 1m ${fixed(one ?? 0, 2)} 5m ${fixed(five ?? 0, 2)}`
}

export function log(line = ''): void {
  process.stdout.write(`${line}\n`)
}
