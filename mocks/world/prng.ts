/**
 * A tiny deterministic PRNG. mulberry32 is enough for fixtures: 32-bit state,
 * full period over 2^32, and identical output on every platform because it only
 * uses 32-bit integer arithmetic (`Math.imul`, `>>>`).
 */
export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** True with probability `p`. */
  chance(p: number): boolean
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T
}

/** The seed every world and generator uses unless told otherwise. */
export const DEFAULT_SEED = 42

export function createPrng(seed: number = DEFAULT_SEED): Prng {
  if (!Number.isSafeInteger(seed)) throw new TypeError(`createPrng: seed must be an integer, got ${String(seed)}`)
  let state = seed >>> 0

  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }

  return {
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1))
    },
    chance(p) {
      return next() < p
    },
    pick<T>(list: readonly T[]): T {
      if (list.length === 0) throw new RangeError('pick: empty list')
      // The index is in range by construction; the cast only satisfies noUncheckedIndexedAccess.
      return list[Math.floor(next() * list.length)] as T
    },
  }
}
