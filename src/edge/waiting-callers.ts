import { LRUCache } from 'lru-cache'

/**
 * Callers told to come back later (429 with Retry-After), and until when. A
 * caller who returns before its Retry-After is refused from this note alone,
 * before its body is read, parsed or priced: a client that ignores
 * Retry-After in a tight loop then costs the process an HTTP parse per
 * request instead of a GraphQL admission, and callers beside it keep their
 * latency. In process, per instance: another instance that has not refused
 * the caller still charges its bucket, so the note only ever refuses what
 * the shared bucket refused already.
 */
export interface WaitingCallers {
  /** Notes that `caller` was told to wait `waitMs`. */
  tell(caller: string, waitMs: number): void
  /** ms `caller` still has to wait; 0 when it may be served. */
  waitLeftMs(caller: string): number
}

export interface WaitingCallersOptions {
  /** Callers remembered; the least recently told beyond are forgotten (and charged as usual). */
  readonly max: number
  /** ms clock. @default performance.now */
  readonly now?: undefined | (() => number)
}

export function createWaitingCallers(options: WaitingCallersOptions): WaitingCallers {
  const now = options.now ?? (() => performance.now())
  const until = new LRUCache<string, number>({ max: options.max })
  return {
    tell(caller, waitMs) {
      if (waitMs > 0) until.set(caller, now() + waitMs)
    },
    waitLeftMs(caller) {
      const at = until.get(caller)
      if (at === undefined) return 0
      const left = at - now()
      if (left > 0) return left
      until.delete(caller)
      return 0
    },
  }
}
