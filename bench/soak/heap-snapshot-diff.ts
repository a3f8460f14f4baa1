/**
 * What a process holds in a later heap snapshot that it did not hold in an
 * earlier one (snapshots of the same process: V8 object ids are stable), and
 * which structure that already existed holds it:
 *
 *   node dist/bench/soak/heap-snapshot-diff.js <before.heapsnapshot> <after.heapsnapshot> [--top 25]
 *
 * `bench:soak -- --snapshots <dir>` writes 1-start, 2-under-load and 3-end.
 * Growth is attributed to its anchor: walking up the shortest path from the
 * roots, the first object that was already there, with the edge from it. A
 * cache filling up shows as one anchor (its map) holding most of the growth.
 */
import { parseArgs } from 'node:util'
import { classOf, readHeapSnapshot, retainerPath, type HeapGraph } from './heap-snapshot.js'

interface Tally {
  count: number
  bytes: number
  /** One node of the group, to show a retainer path for. */
  sample: number
}

function add(tallies: Map<string, Tally>, key: string, bytes: number, node: number): void {
  const tally = tallies.get(key)
  if (tally === undefined) tallies.set(key, { count: 1, bytes, sample: node })
  else {
    tally.count += 1
    tally.bytes += bytes
  }
}

/**
 * The older object (and the one before it) with the edge to the new one, array indexes
 * folded, so the thousand elements of one array or map count as one anchor.
 */
function anchorLabel(graph: HeapGraph, node: number): string {
  const fold = (edge: string): string => edge.replace(/^\[\d+\]$/, '[n]').replace(/^internal \d+$/, 'internal n')
  const parent = graph.parent(node)
  const grandparent = graph.parent(parent)
  const outer = grandparent < 0 ? '' : `${classOf(graph, grandparent)} .${fold(graph.parentEdge(parent))} → `
  return `${outer}${classOf(graph, parent)} .${fold(graph.parentEdge(node))}`
}

const kb = (bytes: number): string => `${(bytes / 1_024).toFixed(0).padStart(8)} KB`
const top = (tallies: Map<string, Tally>, n: number): Array<[string, Tally]> => [...tallies].sort(([, a], [, b]) => b.bytes - a.bytes).slice(0, n)

function totalsByClass(graph: HeapGraph): Map<string, Tally> {
  const tallies = new Map<string, Tally>()
  for (const node of graph.order) add(tallies, classOf(graph, node), graph.selfSize(node), node)
  return tallies
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
  const [beforePath, afterPath] = positionals
  if (beforePath === undefined || afterPath === undefined) throw new Error('usage: heap-snapshot-diff <before.heapsnapshot> <after.heapsnapshot> [--top n]')
  const n = Number(values.top)
  const before = await readHeapSnapshot(beforePath)
  const oldIds = new Set<number>()
  for (const node of before.order) oldIds.add(before.id(node))
  const beforeTotals = totalsByClass(before)
  const after = await readHeapSnapshot(afterPath)

  // Anchors, in breadth-first order so a parent's anchor is known before its children's.
  const anchorOf = new Map<number, string>()
  const newByClass = new Map<string, Tally>()
  const newByAnchor = new Map<string, Tally>()
  let newBytes = 0
  for (const node of after.order) {
    if (oldIds.has(after.id(node))) continue
    const parent = after.parent(node)
    const anchor = parent < 0 ? '(root)' : oldIds.has(after.id(parent)) ? anchorLabel(after, node) : (anchorOf.get(parent) ?? '?')
    anchorOf.set(node, anchor)
    newBytes += after.selfSize(node)
    add(newByClass, classOf(after, node), after.selfSize(node), node)
    add(newByAnchor, anchor, after.selfSize(node), node)
  }

  const afterTotals = totalsByClass(after)
  const sum = (tallies: Map<string, Tally>): number => [...tallies.values()].reduce((total, t) => total + t.bytes, 0)
  const deltas = new Map<string, Tally>()
  for (const [key, tally] of afterTotals) {
    const was = beforeTotals.get(key)
    deltas.set(key, { count: tally.count - (was?.count ?? 0), bytes: tally.bytes - (was?.bytes ?? 0), sample: tally.sample })
  }

  const out: string[] = [
    `reachable: ${kb(sum(beforeTotals))} → ${kb(sum(afterTotals))}; objects new since the first snapshot: ${kb(newBytes)}`,
    '',
    `new objects by anchor (the first older object on their shortest path from the roots):`,
    ...top(newByAnchor, n).map(([key, t]) => `${kb(t.bytes)} ${String(t.count).padStart(8)}  ${key}\n${' '.repeat(21)}e.g. ${retainerPath(after, t.sample)}`),
    '',
    `new objects by class:`,
    ...top(newByClass, n).map(([key, t]) => `${kb(t.bytes)} ${String(t.count).padStart(8)}  ${key}`),
    '',
    `change of all reachable objects by class (after − before):`,
    ...top(deltas, n).map(([key, t]) => `${kb(t.bytes)} ${String(t.count).padStart(8)}  ${key}`),
  ]
  process.stdout.write(`${out.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`heap-snapshot-diff: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
