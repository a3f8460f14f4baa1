import type { FastifyInstance } from 'fastify'
import type { BreakerState } from '../lib/breaker-state.js'
import type { Metrics, Sample } from '../telemetry/metrics.js'

/** The gauge value of a breaker state: 0 closed, 1 half-open, 2 open (so `== 2` alerts on open). */
export const BREAKER_GAUGE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 }

/**
 * Metrics read at scrape time from the objects the other plugins keep (the
 * downstream policies, the cache's counters, the subscription stats): no
 * work on the hot path, and the same numbers /health/ready and the dashboard show.
 */
export function registerCollectedMetrics(app: FastifyInstance, metrics: Metrics): void {
  const policies = Object.values(app.downstreams.policies)
  const perService = <L extends string>(read: (policy: (typeof policies)[number]) => Iterable<Sample<L | 'server_address'>>) => () =>
    policies.flatMap((policy) => [...read(policy)])

  metrics.collect({
    name: 'bff_downstream_retries_total',
    help: 'Retries of downstream calls (each also counts as an attempt in http_client_request_duration_seconds).',
    kind: 'counter',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, p.counts.retries]]),
  })
  metrics.collect({
    name: 'bff_circuit_breaker_state',
    help: 'Circuit breaker state per service: 0 closed, 1 half-open, 2 open.',
    kind: 'gauge',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, BREAKER_GAUGE[p.breaker.state()]]]),
  })
  metrics.collect({
    name: 'bff_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes per service, by the state entered.',
    kind: 'counter',
    labelNames: ['server_address', 'state'],
    read: perService((p) => Object.entries(p.counts.transitions).map(([state, count]) => [{ server_address: p.service, state }, count] as const)),
  })
  metrics.collect({
    name: 'bff_bulkhead_in_flight',
    help: 'Downstream calls holding a bulkhead slot per service.',
    kind: 'gauge',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, p.bulkhead.inFlight]]),
  })
  metrics.collect({
    name: 'bff_bulkhead_queued',
    help: 'Downstream calls waiting for a bulkhead slot per service.',
    kind: 'gauge',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, p.bulkhead.queued]]),
  })
  metrics.collect({
    name: 'bff_retry_budget_refusals_total',
    help: 'Retries the per-service retry budget refused.',
    kind: 'counter',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, p.counts.budgetRefusals]]),
  })
  metrics.collect({
    name: 'bff_retry_budget_retries_in_flight',
    help: 'Retries in flight per service (the budget allows max(min concurrency, ratio x active calls)).',
    kind: 'gauge',
    labelNames: ['server_address'],
    read: perService((p) => [[{ server_address: p.service }, p.retryBudget.snapshot().retriesInFlight]]),
  })

  const cacheSets = () => Object.entries(app.cacheStats.counters())
  metrics.collect({
    name: 'bff_cache_lookups_total',
    help: 'Entity cache lookups by resource and result: hit (fresh), miss, stale (served past max age), error (store failed).',
    kind: 'counter',
    labelNames: ['resource', 'result'],
    read: () =>
      cacheSets().flatMap(([resource, set]) => [
        [{ resource, result: 'hit' }, set.hits] as const,
        [{ resource, result: 'miss' }, set.misses] as const,
        [{ resource, result: 'stale' }, set.staleServed] as const,
        [{ resource, result: 'error' }, set.errors] as const,
      ]),
  })
  metrics.collect({
    name: 'bff_cache_l1_hits_total',
    help: 'Of the cache hits, those served by the in-process L1 in front of Redis.',
    kind: 'counter',
    labelNames: ['resource'],
    read: () => cacheSets().map(([resource, set]) => [{ resource }, set.l1Hits] as const),
  })
  metrics.collect({
    name: 'bff_cache_evictions_total',
    help: 'Entries the cache store evicted for space, by resource.',
    kind: 'counter',
    labelNames: ['resource'],
    read: () => cacheSets().map(([resource, set]) => [{ resource }, set.evictions] as const),
  })
  metrics.collect({
    name: 'bff_cache_store_breaker_state',
    help: 'The Redis store breaker: 0 closed, 1 half-open, 2 open (absent without Redis).',
    kind: 'gauge',
    labelNames: [],
    read: () => {
      const state = app.cacheStats.breakerState()
      return state === null ? [] : [[{}, BREAKER_GAUGE[state]]]
    },
  })
  const kept = app.responseCache
  if (kept !== null) {
    metrics.collect({
      name: 'bff_response_cache_lookups_total',
      help: 'Kept-answer lookups of POST queries by result: hit (answered without executing), stale_hit (the same, past its entries\' freshness), miss.',
      kind: 'counter',
      labelNames: ['result'],
      read: () => {
        const s = kept.stats()
        return [
          [{ result: 'hit' }, s.hits - s.staleHits],
          [{ result: 'stale_hit' }, s.staleHits],
          [{ result: 'miss' }, s.misses],
        ]
      },
    })
    metrics.collect({
      name: 'bff_response_cache_answers_total',
      help: 'Answers kept, and kept answers dropped by an invalidation or a changed value of what they were read from.',
      kind: 'counter',
      labelNames: ['event'],
      read: () => {
        const s = kept.stats()
        return [
          [{ event: 'kept' }, s.kept],
          [{ event: 'dropped' }, s.dropped],
        ]
      },
    })
    metrics.collect({ name: 'bff_response_cache_entries', help: 'Answers kept now.', kind: 'gauge', labelNames: [], read: () => [[{}, kept.size]] })
  }

  const subs = () => app.subscriptions.stats()
  metrics.collect({
    name: 'bff_subscription_connections',
    help: 'Open websocket connections.',
    kind: 'gauge',
    labelNames: [],
    read: () => [[{}, subs().connections]],
  })
  metrics.collect({
    name: 'bff_subscriptions_active',
    help: 'Open subscriptions by field.',
    kind: 'gauge',
    labelNames: ['field'],
    read: () => Object.entries(subs().byField).map(([field, count]) => [{ field }, count] as const),
  })
  metrics.collect({
    name: 'bff_subscription_events_total',
    help: 'Subscription events by result: delivered, dropped (queued for a subscriber closed as too slow), conflated (replaced by a newer one).',
    kind: 'counter',
    labelNames: ['result'],
    read: () => {
      const s = subs()
      return [
        [{ result: 'delivered' }, s.eventsDelivered],
        [{ result: 'dropped' }, s.eventsDropped],
        [{ result: 'conflated' }, s.eventsConflated],
      ]
    },
  })
}
