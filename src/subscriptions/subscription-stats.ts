/** What /health/ready shows of subscriptions: nothing is dropped or conflated unseen. */
export interface SubscriptionStatsSnapshot {
  /** Open websocket connections. */
  readonly connections: number
  /** Subscription streams open. */
  readonly subscriptions: number
  /** Events being resolved or written right now. */
  readonly inFlight: number
  readonly eventsDelivered: number
  /** Events replaced by a newer one for the same product (stockChanged). */
  readonly eventsConflated: number
  /** Events that were queued for a subscriber closed as too slow (it can resume with `after`). */
  readonly eventsDropped: number
  /** Connections closed with 4413. */
  readonly slowConsumerCloses: number
  /** Subscription streams open, by subscription field. */
  readonly byField: Readonly<Record<string, number>>
  /** Append-to-delivery time of the last event delivered, in ms; null before the first. */
  readonly lastLagMs: number | null
  /** Connections refused by the per-instance cap or during shutdown. */
  readonly connectionsRefused: number
}

export interface SubscriptionStats {
  connections: number
  subscriptions: number
  eventsDelivered: number
  eventsConflated: number
  eventsDropped: number
  slowConsumerCloses: number
  connectionsRefused: number
  /** Subscription streams open, by subscription field. */
  readonly byField: Map<string, number>
  /** A subscription opened (+1) or ended (-1). */
  opened(field: string, delta: 1 | -1): void
  /** An event was delivered `lagMs` after it occurred. */
  delivered(lagMs: number): void
  /** An event was handed over for resolution. */
  startWork(): void
  /** Its resolution and write finished (the subscriber pulled again or left). */
  endWork(): void
  /** Resolves true once nothing is in flight, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean>
  snapshot(): SubscriptionStatsSnapshot
}

export interface SubscriptionStatsOptions {
  /** Where each delivery's lag goes (metrics). @default nowhere */
  readonly onLag?: undefined | ((lagMs: number) => void)
}

export function createSubscriptionStats(options: SubscriptionStatsOptions = {}): SubscriptionStats {
  let inFlight = 0
  let waiters: Array<() => void> = []
  const onLag = options.onLag
  let lastLagMs: number | null = null
  return {
    connections: 0,
    subscriptions: 0,
    eventsDelivered: 0,
    eventsConflated: 0,
    eventsDropped: 0,
    slowConsumerCloses: 0,
    connectionsRefused: 0,
    byField: new Map(),
    opened(field, delta) {
      this.subscriptions += delta
      this.byField.set(field, (this.byField.get(field) ?? 0) + delta)
    },
    delivered(lagMs) {
      this.eventsDelivered += 1
      lastLagMs = lagMs
      onLag?.(lagMs)
    },
    startWork() {
      inFlight += 1
    },
    endWork() {
      inFlight -= 1
      if (inFlight === 0) {
        const wake = waiters
        waiters = []
        for (const resolve of wake) resolve()
      }
    },
    idle(timeoutMs) {
      if (inFlight === 0) return Promise.resolve(true)
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs)
        waiters.push(() => {
          clearTimeout(timer)
          resolve(true)
        })
      })
    },
    snapshot() {
      return {
        connections: this.connections,
        subscriptions: this.subscriptions,
        inFlight,
        eventsDelivered: this.eventsDelivered,
        eventsConflated: this.eventsConflated,
        eventsDropped: this.eventsDropped,
        slowConsumerCloses: this.slowConsumerCloses,
        connectionsRefused: this.connectionsRefused,
        byField: Object.fromEntries(this.byField),
        lastLagMs,
      }
    },
  }
}
