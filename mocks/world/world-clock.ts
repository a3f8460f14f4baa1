import type { Prng } from './prng.js'

/**
 * The seeded world's "now": every seeded timestamp lies before it, so records the
 * services create at run time (stamped with the real clock) sort as newest.
 */
export const WORLD_NOW_MS = Date.UTC(2025, 0, 1)

const DAY_S = 86_400

/** Whole-second epoch ms within `days` before WORLD_NOW_MS. */
export function seededPastMs(prng: Prng, days: number): number {
  return WORLD_NOW_MS - prng.int(1, days * DAY_S) * 1_000
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/**
 * `new Date(ms).toISOString()` for whole-second times after 1970. About 5× faster,
 * which matters: the world formats ~50,000 timestamps and must build in < 300 ms.
 * Civil-from-days after Howard Hinnant, http://howardhinnant.github.io/date_algorithms.html
 */
export function isoFromMs(ms: number): string {
  const secs = Math.floor(ms / 1_000)
  const days = Math.floor(secs / DAY_S)
  const rem = secs - days * DAY_S
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const h = Math.floor(rem / 3_600)
  const m = Math.floor((rem % 3_600) / 60)
  const s = rem % 60
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.000Z`
}

/** `count` distinct integers in [min, max], in draw order, never `exclude`. */
export function pickDistinctInts(prng: Prng, count: number, min: number, max: number, exclude?: number): number[] {
  const available = max - min + 1 - (exclude !== undefined && exclude >= min && exclude <= max ? 1 : 0)
  const wanted = Math.min(count, available)
  // Lists here hold at most 60 numbers: a linear `includes` beats a Set and leaves no garbage behind.
  const chosen: number[] = []
  while (chosen.length < wanted) {
    const n = prng.int(min, max)
    if (n !== exclude && !chosen.includes(n)) chosen.push(n)
  }
  return chosen
}

const INDEX_BITS = 2 ** 20

/**
 * Indexes of `times` (whole-second ms) in ascending time order, ties in input
 * order. Packs (seconds, index) into one float and sorts a Float64Array natively:
 * an order of magnitude faster than a comparator sort over objects.
 */
export function orderByTime(times: readonly number[]): Int32Array {
  if (times.length >= INDEX_BITS) throw new RangeError(`orderByTime: at most ${INDEX_BITS - 1} entries`)
  const keys = new Float64Array(times.length)
  times.forEach((ms, index) => {
    keys[index] = (ms / 1_000) * INDEX_BITS + index
  })
  keys.sort()
  const order = new Int32Array(times.length)
  keys.forEach((key, position) => {
    order[position] = key % INDEX_BITS
  })
  return order
}

const ID_STRINGS: string[] = []

/**
 * The decimal id string for `n`, shared rather than allocated: follower lists,
 * recommendations and review authors repeat the same few thousand ids ~150,000
 * times, and fewer live strings is most of what keeps generation fast.
 */
export function idOf(n: number): string {
  let id = ID_STRINGS[n]
  if (id === undefined) {
    id = String(n)
    if (n < 10_000) ID_STRINGS[n] = id
  }
  return id
}
