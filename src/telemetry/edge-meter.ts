import { Counter, Histogram, type Registry } from 'prom-client'

/** Where the bucket that decided lives, as the rate limiter names it; the fallback buckets are this instance's own. */
export type BucketStore = 'redis' | 'local' | 'fallback'

/** Records what the operation gate decides (edge/operation-gate.ts hands it each decision); the no-op one when metrics are off. */
export interface EdgeMeter {
  /** Every priced operation, admitted or refused. */
  priced(cost: number): void
  /** Refused for its cost (GRAPHQL_MAX_COST); its bucket is charged all the same. */
  overCost(): void
  /** A token bucket's decision. */
  decided(allowed: boolean, store: BucketStore): void
  /** A caller back before its Retry-After, refused before its body was read. */
  earlyRetry(): void
}

export const NO_EDGE_METER: EdgeMeter = Object.freeze({
  priced: () => undefined,
  overCost: () => undefined,
  decided: () => undefined,
  earlyRetry: () => undefined,
})

/** Cost points: one item is 1, a home query about 20, GRAPHQL_MAX_COST 1,000 by default. */
export const COST_BUCKETS = [1, 5, 10, 20, 50, 100, 200, 500, 1_000, 5_000]

/**
 * The rate-limit and cost metrics. Every label combination is made once
 * here, so a decision is one increment on a child already at hand (no label
 * object per request), and each series exists at 0 before the first decision,
 * so a ratio of them is defined from the first scrape.
 */
export function createEdgeMeter(registry: Registry): EdgeMeter {
  const decisions = new Counter({
    name: 'bff_rate_limit_decisions_total',
    help: 'Token bucket decisions, by decision (admitted, limited) and where the deciding bucket lives: redis (shared), local (this instance: the embedded default, or the fallback while Redis is unreachable).',
    labelNames: ['decision', 'store'] as const,
    registers: [registry],
  })
  const cost = new Histogram({
    name: 'bff_graphql_operation_cost',
    help: 'Computed cost of GraphQL operations the gate priced (over HTTP and the websocket), admitted or refused, in cost points.',
    buckets: COST_BUCKETS,
    registers: [registry],
  })
  const refusals = new Counter({
    name: 'bff_operation_limit_refusals_total',
    help: 'Operations refused by an operation limit before running, by limit (cost: over GRAPHQL_MAX_COST; still charged to the caller\'s bucket).',
    labelNames: ['limit'] as const,
    registers: [registry],
  })
  const earlyRetries = new Counter({
    name: 'bff_rate_limit_early_retries_total',
    help: 'Requests from a caller back before the Retry-After of its last 429, refused again before their body was read (after RATE_LIMIT_EARLY_RETRY_DELAY_MS); no bucket is charged for them.',
    registers: [registry],
  })
  const admitted = { redis: decisions.labels('admitted', 'redis'), local: decisions.labels('admitted', 'local') }
  const limited = { redis: decisions.labels('limited', 'redis'), local: decisions.labels('limited', 'local') }
  const overCost = refusals.labels('cost')
  // A child has no series until its first increment: zero makes one.
  for (const child of [admitted.redis, admitted.local, limited.redis, limited.local, overCost]) child.inc(0)
  return {
    priced: (points) => cost.observe(points),
    overCost: () => overCost.inc(),
    earlyRetry: () => earlyRetries.inc(),
    decided(allowed, store) {
      const children = allowed ? admitted : limited
      if (store === 'redis') children.redis.inc()
      else children.local.inc()
    },
  }
}
