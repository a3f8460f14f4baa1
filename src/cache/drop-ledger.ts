/**
 * Which keys were dropped (invalidated) after a reader took its mark: the
 * check an in-process copy makes before it keeps what a read returned, since
 * a drop that landed while the read was in flight may concern the value read.
 * Only the keys read count: a drop of any other key leaves the copy good.
 *
 * Bounded: past `remembered` drops the oldest records are forgotten, and a
 * reader marked before a forgotten one is refused whatever it read, which is
 * safe (it only keeps nothing).
 */
export interface DropLedger {
  /** The mark a reader takes before it reads. */
  mark(): number
  /** Records a drop of these keys. */
  dropped(keys: Iterable<string>): void
  /** Forgets every record: readers marked before now are refused. */
  reset(): void
  /** Whether a reader marked at `since` that read `keys` may hold a value dropped since. */
  droppedSince(since: number, keys: Iterable<string>): boolean
}

export function createDropLedger(remembered: number): DropLedger {
  if (!Number.isSafeInteger(remembered) || remembered < 1) throw new TypeError(`createDropLedger: remembered must be a positive integer, got ${String(remembered)}`)
  let generation = 0
  // Readers marked before `floor` may have missed a drop that is no longer remembered.
  let floor = 0
  // Key → generation of its last drop, oldest first (a key dropped again moves to the end).
  const at = new Map<string, number>()
  return {
    mark: () => generation,
    dropped(keys) {
      generation += 1
      for (const key of keys) {
        at.delete(key)
        at.set(key, generation)
      }
      for (const [oldest, when] of at) {
        if (at.size <= remembered) break
        at.delete(oldest)
        floor = Math.max(floor, when)
      }
    },
    reset() {
      generation += 1
      floor = generation
      at.clear()
    },
    droppedSince(since, keys) {
      if (since < floor) return true
      if (since === generation) return false
      for (const key of keys) {
        const when = at.get(key)
        if (when !== undefined && when > since) return true
      }
      return false
    },
  }
}
