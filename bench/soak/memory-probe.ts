import type { InspectorSession } from './inspector-session.js'

/** One reading of the BFF process's memory, in bytes. */
export interface MemoryReading {
  /** Resident set: what the OS sees, V8's committed pages and native memory alike. */
  readonly rss: number
  /** Live JS objects (all of them, right after a forced collection). */
  readonly heapUsed: number
  /** Pages V8 has committed for the JS heap, used or not. */
  readonly heapTotal: number
  /** Memory outside the JS heap that V8 tracks (Buffers and other ArrayBuffers). */
  readonly external: number
  /** Heap of the old generation only: where anything long-lived sits. */
  readonly oldSpaceUsed: number
  readonly oldSpaceCommitted: number
}

interface HeapSpace {
  readonly space_name: string
  readonly space_used_size: number
  readonly space_size: number
}

const READ = `{ memory: process.memoryUsage(), spaces: require('v8').getHeapSpaceStatistics() }`

function isReading(value: unknown): value is { memory: NodeJS.MemoryUsage; spaces: HeapSpace[] } {
  return typeof value === 'object' && value !== null && 'memory' in value && 'spaces' in value && Array.isArray(value.spaces)
}

/**
 * Reads memory through the inspector. `collect: true` forces a full,
 * compacting collection first (`HeapProfiler.collectGarbage`), so heapUsed is
 * what is really reachable; the RSS read with it is then also what is left
 * once V8 has released what it could.
 */
export async function readMemory(inspector: InspectorSession, collect: boolean): Promise<MemoryReading> {
  if (collect) await inspector.call('HeapProfiler.collectGarbage')
  const value = await inspector.evaluateJson(READ)
  if (!isReading(value)) throw new Error(`unexpected memory reading: ${JSON.stringify(value).slice(0, 200)}`)
  const old = value.spaces.find((space) => space.space_name === 'old_space')
  return {
    rss: value.memory.rss,
    heapUsed: value.memory.heapUsed,
    heapTotal: value.memory.heapTotal,
    external: value.memory.external,
    oldSpaceUsed: old?.space_used_size ?? 0,
    oldSpaceCommitted: old?.space_size ?? 0,
  }
}

/** Running maximum of readings taken without a collection (peak RSS, peak heap before GC). */
export interface PeakTracker {
  add(reading: MemoryReading): void
  readonly peak: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number }
}

export function createPeakTracker(): PeakTracker {
  let rss = 0
  let heapUsed = 0
  let heapTotal = 0
  return {
    add(reading) {
      rss = Math.max(rss, reading.rss)
      heapUsed = Math.max(heapUsed, reading.heapUsed)
      heapTotal = Math.max(heapTotal, reading.heapTotal)
    },
    get peak() {
      return { rss, heapUsed, heapTotal }
    },
  }
}
