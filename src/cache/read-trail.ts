/**
 * What one operation's answer was read from, so the answer itself may be
 * kept (response-cache.ts): the entity-cache keys it read (fresh, or past
 * freshness within stale-while-revalidate with their refresh started), the
 * moments the first of them stops being fresh and leaves that window, and
 * whether anything was read that the cache cannot vouch for (a miss, an
 * entry served only because the downstream failed, a joined call, a
 * resource that is not cached). One per HTTP request, written by the read
 * path only.
 */
export class ReadTrail {
  readonly keys = new Set<string>()
  /** Epoch ms: when the least fresh entry read stops being fresh. */
  freshUntil = Number.POSITIVE_INFINITY
  /** Epoch ms: when the first entry read leaves its stale-while-revalidate window. */
  staleUntil = Number.POSITIVE_INFINITY
  spoiled = false

  /** The entry under `key` was served: fresh until `freshUntil` (perhaps already past), servable stale until `staleUntil`. */
  read(key: string, freshUntil: number, staleUntil: number = freshUntil): void {
    this.keys.add(key)
    if (freshUntil < this.freshUntil) this.freshUntil = freshUntil
    if (staleUntil < this.staleUntil) this.staleUntil = staleUntil
  }

  /** Something was served that no kept answer may repeat. */
  spoil(): void {
    this.spoiled = true
  }
}
