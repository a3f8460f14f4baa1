import { readFile } from 'node:fs/promises'

/**
 * A V8 `.heapsnapshot` (the format `HeapProfiler.takeHeapSnapshot` writes)
 * read into flat arrays, with the shortest path from the GC roots to every
 * node, which is what DevTools' "distance" and retainer views are built on.
 */
export interface HeapGraph {
  readonly nodeCount: number
  /** V8's object id: stable across snapshots of one process, so two snapshots can be compared. */
  id(node: number): number
  selfSize(node: number): number
  type(node: number): string
  name(node: number): string
  /** Node one step nearer the roots on a shortest path, or -1 (a root, or unreachable). */
  parent(node: number): number
  /** Name of the edge from parent(node) to node (`property`, `[index]`, `context var`…). */
  parentEdge(node: number): string
  /** Outgoing edges of `node`: their names and target nodes. */
  children(node: number): Array<{ readonly edge: string; readonly to: number }>
  /** Nodes in breadth-first order from the roots: parents always come before their children. */
  readonly order: Int32Array
}

interface SnapshotJson {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[]
      readonly node_types: readonly [readonly string[], ...unknown[]]
      readonly edge_fields: readonly string[]
      readonly edge_types: readonly [readonly string[], ...unknown[]]
    }
  }
  readonly nodes: readonly number[]
  readonly edges: readonly number[]
  readonly strings: readonly string[]
}

export async function readHeapSnapshot(path: string): Promise<HeapGraph> {
  const json = JSON.parse(await readFile(path, 'utf8')) as SnapshotJson
  const { meta } = json.snapshot
  const nodeWidth = meta.node_fields.length
  const edgeWidth = meta.edge_fields.length
  const at = (fields: readonly string[], name: string): number => {
    const index = fields.indexOf(name)
    if (index < 0) throw new Error(`heap snapshot without the ${name} field`)
    return index
  }
  const [typeF, nameF, idF, sizeF, edgeCountF] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => at(meta.node_fields, f)) as [number, number, number, number, number]
  const [edgeTypeF, edgeNameF, toF] = ['type', 'name_or_index', 'to_node'].map((f) => at(meta.edge_fields, f)) as [number, number, number]
  const nodeTypes = meta.node_types[0]
  const edgeTypes = meta.edge_types[0]
  const { nodes, edges, strings } = json
  const nodeCount = nodes.length / nodeWidth

  const firstEdge = new Int32Array(nodeCount + 1)
  for (let node = 0; node < nodeCount; node += 1) firstEdge[node + 1] = (firstEdge[node] as number) + (nodes[node * nodeWidth + edgeCountF] as number) * edgeWidth

  // Breadth-first from the synthetic root (node 0), through strong edges only, as DevTools computes distances.
  const parent = new Int32Array(nodeCount).fill(-1)
  const parentEdgeAt = new Int32Array(nodeCount).fill(-1)
  const order = new Int32Array(nodeCount)
  const seen = new Uint8Array(nodeCount)
  let head = 0
  let tail = 0
  order[tail++] = 0
  seen[0] = 1
  while (head < tail) {
    const node = order[head++] as number
    for (let e = firstEdge[node] as number; e < (firstEdge[node + 1] as number); e += edgeWidth) {
      const edgeType = edgeTypes[edges[e + edgeTypeF] as number]
      if (edgeType === 'weak' || edgeType === 'shortcut') continue
      const to = (edges[e + toF] as number) / nodeWidth
      if (seen[to] === 1) continue
      seen[to] = 1
      parent[to] = node
      parentEdgeAt[to] = e
      order[tail++] = to
    }
  }

  const edgeLabel = (e: number): string => {
    const edgeType = edgeTypes[edges[e + edgeTypeF] as number] ?? '?'
    const nameOrIndex = edges[e + edgeNameF] as number
    if (edgeType === 'element' || edgeType === 'hidden') return `[${nameOrIndex}]`
    return edgeType === 'property' ? String(strings[nameOrIndex]) : `${edgeType} ${String(strings[nameOrIndex])}`
  }

  return {
    nodeCount,
    id: (node) => nodes[node * nodeWidth + idF] as number,
    selfSize: (node) => nodes[node * nodeWidth + sizeF] as number,
    type: (node) => nodeTypes[nodes[node * nodeWidth + typeF] as number] ?? '?',
    name: (node) => strings[nodes[node * nodeWidth + nameF] as number] ?? '?',
    parent: (node) => parent[node] as number,
    parentEdge: (node) => (parentEdgeAt[node] === -1 ? '' : edgeLabel(parentEdgeAt[node] as number)),
    children(node) {
      const out: Array<{ edge: string; to: number }> = []
      for (let e = firstEdge[node] as number; e < (firstEdge[node + 1] as number); e += edgeWidth) out.push({ edge: edgeLabel(e), to: (edges[e + toF] as number) / nodeWidth })
      return out
    },
    order: order.subarray(0, tail),
  }
}

/** DevTools' grouping: objects by constructor name, everything else by its kind (strings, code, arrays…). */
export function classOf(graph: HeapGraph, node: number): string {
  const type = graph.type(node)
  if (type === 'object' || type === 'native') return graph.name(node)
  if (type === 'closure') return `(closure ${graph.name(node) || 'anonymous'})`
  return `(${type})`
}

/** The shortest retainer path from the roots to `node`, outermost first: `Class .edge → Class …`. */
export function retainerPath(graph: HeapGraph, node: number, maxSteps = 14): string {
  const chain: number[] = []
  let current = node
  for (; current > 0 && chain.length < maxSteps; current = graph.parent(current)) chain.push(current)
  chain.reverse()
  const steps = chain.map((step, i) => (i === 0 ? classOf(graph, step) : `.${graph.parentEdge(step)} → ${classOf(graph, step)}`))
  return `${current > 0 ? '… ' : ''}${steps.join(' ')}`
}
