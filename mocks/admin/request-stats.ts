import { performance } from 'node:perf_hooks'

export interface RequestRecord {
  /** `<METHOD> <route pattern>`, e.g. `GET /users/:id`. */
  readonly route: string
  /** `performance.now()` of the mocks process, in ms. */
  readonly startedAt: number
  /** Null while the request is in progress. */
  endedAt: number | null
  readonly requestId: string | null
  /** The W3C trace context the caller sent, if any. */
  readonly traceparent: string | null
}

export interface StatsSnapshot {
  readonly requests: number
  readonly byRoute: Readonly<Record<string, number>>
  readonly inFlight: number
}

/** Requests kept for `GET /__admin/requests`. */
export const RECENT_CAPACITY = 1_000

/**
 * Counters and a ring of recent requests for one service. `inFlight` is a live
 * gauge of requests still open, so `reset()` leaves it alone: zeroing it while
 * requests hang would drive it negative when they end.
 */
export class RequestStats {
  #requests = 0
  #inFlight = 0
  #byRoute = new Map<string, number>()
  #ring: RequestRecord[] = []
  #next = 0

  begin(route: string, requestId: string | null, traceparent: string | null = null): RequestRecord {
    this.#requests += 1
    this.#inFlight += 1
    this.#byRoute.set(route, (this.#byRoute.get(route) ?? 0) + 1)
    const record: RequestRecord = { route, startedAt: performance.now(), endedAt: null, requestId, traceparent }
    if (this.#ring.length < RECENT_CAPACITY) this.#ring.push(record)
    else this.#ring[this.#next] = record
    this.#next = (this.#next + 1) % RECENT_CAPACITY
    return record
  }

  /** Call exactly once per `begin`, when the response finished or the client went away. */
  end(record: RequestRecord): void {
    this.#inFlight -= 1
    record.endedAt = performance.now()
  }

  snapshot(): StatsSnapshot {
    return { requests: this.#requests, byRoute: Object.fromEntries(this.#byRoute), inFlight: this.#inFlight }
  }

  /** Recent requests, oldest first. */
  recent(): readonly RequestRecord[] {
    if (this.#ring.length < RECENT_CAPACITY) return [...this.#ring]
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)]
  }

  reset(): void {
    this.#requests = 0
    this.#byRoute.clear()
    this.#ring = []
    this.#next = 0
  }
}
