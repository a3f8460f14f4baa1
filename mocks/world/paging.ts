/**
 * Opaque cursors and the two page shapes the services answer with. Cursors are
 * base64url of `<kind>:<n>`; the kind stops a search cursor from being replayed
 * against an order list and turns garbage into a clean 400.
 */

export type CursorKind = 'search' | 'orders' | 'reviews'

export function encodeCursor(kind: CursorKind, n: number): string {
  return Buffer.from(`${kind}:${n}`, 'utf8').toString('base64url')
}

const CURSOR_BODY = /^([a-z]+):(\d{1,15})$/

/** The number inside a cursor of `kind`, or null when the cursor is malformed or of another kind. */
export function decodeCursor(kind: CursorKind, cursor: string): number | null {
  if (cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null
  const match = CURSOR_BODY.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match === null || match[1] !== kind) return null
  return Number(match[2])
}

export interface Page<T> {
  readonly items: readonly T[]
  readonly hasNextPage: boolean
}

/** `first` items after position `afterOffset` (exclusive; -1 = from the start). */
export function pageByOffset<T>(list: readonly T[], first: number, afterOffset: number): Page<T> {
  const start = afterOffset + 1
  return { items: list.slice(start, start + first), hasNextPage: start + first < list.length }
}

/**
 * Newest-first page over a list sorted by ascending numeric id: the `first`
 * records whose id is below `beforeId` (all when undefined). Keyed by id, not by
 * offset, so records created between two page requests do not shift the pages.
 */
export function pageNewestFirst<T extends { readonly id: string }>(ascending: readonly T[], first: number, beforeId?: number): Page<T> {
  // Binary search for the first index whose id is >= beforeId; everything below it is eligible.
  let hi = ascending.length
  if (beforeId !== undefined) {
    let lo = 0
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (Number((ascending[mid] as T).id) < beforeId) lo = mid + 1
      else hi = mid
    }
  }
  const items: T[] = []
  for (let i = hi - 1; i >= 0 && items.length < first; i--) items.push(ascending[i] as T)
  return { items, hasNextPage: hi - items.length > 0 }
}
