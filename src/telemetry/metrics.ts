import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues } from 'prom-client'
import { createEdgeMeter, NO_EDGE_METER, type EdgeMeter } from './edge-meter.js'
import { createOperationNames, type OperationNames } from './operation-names.js'
import { NO_CLIENT_METER, type ClientMeter, type OperationOutcome } from './outcomes.js'

/** The OpenTelemetry semantic conventions' advice for HTTP durations, in seconds. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

/** One series of a metric read at scrape time: its labels and its value now. */
export type Sample<L extends string> = readonly [labels: LabelValues<L>, value: number]

export interface CollectedMetric<L extends string> {
  readonly name: string
  readonly help: string
  readonly kind: 'counter' | 'gauge'
  readonly labelNames: readonly L[]
  /** Called on every scrape: the counts live where the work is done (policies, cache, subscriptions). */
  readonly read: () => Iterable<Sample<L>>
}

export interface Metrics {
  readonly enabled: boolean
  /** HTTP server request, on its response. */
  httpRequest(method: string, route: string, status: number, seconds: number): void
  /** A GraphQL operation; `name` is the client's, bounded to a fixed set of label values. */
  operation(type: string, name: string | null | undefined, outcome: OperationOutcome, seconds: number): void
  /** The meter downstream attempts of `service` report to. */
  client(service: string): ClientMeter
  /** Time from a domain event's append to its delivery to a subscriber. */
  eventLag(seconds: number): void
  /** Where the operation gate reports its rate-limit decisions and the cost it computed. */
  readonly edge: EdgeMeter
  /** Adds a metric whose values are read from existing counters at scrape time (no hot-path work). */
  collect<L extends string>(metric: CollectedMetric<L>): void
  /** The Prometheus text exposition. */
  render(): Promise<string>
  readonly contentType: string
}

export interface MetricsOptions {
  /** @see TelemetryConfig.metrics.maxOperationNames */
  readonly maxOperationNames: number
}

/**
 * A histogram's children by a string key, one per label combination, made on
 * first use: prom-client hashes the label object on every labelled
 * observation, and a request makes about ten. `get(key) ?? add(key, labels)`
 * builds the label object only the first time.
 */
class HistogramChildren<L extends string> {
  readonly #histogram: Histogram<L>
  readonly #children = new Map<string, Histogram.Internal<L>>()
  constructor(histogram: Histogram<L>) {
    this.#histogram = histogram
  }
  get(key: string): Histogram.Internal<L> | undefined {
    return this.#children.get(key)
  }
  add(key: string, labels: LabelValues<L>): Histogram.Internal<L> {
    const child = this.#histogram.labels(labels)
    this.#children.set(key, child)
    return child
  }
}

/** Metrics per app (never prom-client's global registry), so tests can build several apps in one process. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const names: OperationNames = createOperationNames(options.maxOperationNames)
  const server = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by method, matched route and response status.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  })
  const operations = new Histogram({
    name: 'bff_graphql_operation_duration_seconds',
    help: 'Duration of GraphQL queries and mutations (over HTTP and the websocket), by type, bounded operation name and outcome (ok, partial, error).',
    labelNames: ['graphql_operation_type', 'graphql_operation_name', 'outcome'] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  })
  const client = new Histogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of downstream attempts (each retry is one), by service and outcome; refused attempts (circuit_open, overloaded) count with the time they took to refuse.',
    labelNames: ['server_address', 'outcome'] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  })
  const lag = new Histogram({
    name: 'bff_subscription_event_lag_seconds',
    help: 'Time from a domain event being appended to the log to its delivery to a subscriber.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const serverChildren = new HistogramChildren(server)
  const operationChildren = new HistogramChildren(operations)
  const meters = new Map<string, ClientMeter>()
  const edge = createEdgeMeter(registry)

  return {
    enabled: true,
    edge,
    httpRequest(method, route, status, seconds) {
      const key = `${method} ${route} ${status}`
      const child = serverChildren.get(key) ?? serverChildren.add(key, { http_request_method: method, http_route: route, http_response_status_code: status })
      child.observe(seconds)
    },
    operation(type, name, outcome, seconds) {
      const label = names.label(name)
      // Bounded: types × (the admitted names, `anonymous` and `other`) × outcomes.
      const key = `${type}\u0000${label}\u0000${outcome}`
      const child = operationChildren.get(key) ?? operationChildren.add(key, { graphql_operation_type: type, graphql_operation_name: label, outcome })
      child.observe(seconds)
    },
    client(service) {
      let meter = meters.get(service)
      if (meter === undefined) {
        const byOutcome = new HistogramChildren(client)
        meter = {
          attempt(outcome, seconds) {
            const child = byOutcome.get(outcome) ?? byOutcome.add(outcome, { server_address: service, outcome })
            child.observe(seconds)
          },
        }
        meters.set(service, meter)
      }
      return meter
    },
    eventLag(seconds) {
      lag.observe(seconds)
    },
    collect(metric) {
      const { read } = metric
      const config = { name: metric.name, help: metric.help, labelNames: metric.labelNames, registers: [registry] }
      if (metric.kind === 'gauge') {
        new Gauge({
          ...config,
          collect() {
            this.reset()
            for (const [labels, value] of read()) this.set(labels, value)
          },
        })
      } else {
        new Counter({
          ...config,
          collect() {
            this.reset()
            for (const [labels, value] of read()) this.inc(labels, value)
          },
        })
      }
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  }
}

/** Metrics off: nothing recorded, nothing served. */
export const NO_METRICS: Metrics = Object.freeze({
  enabled: false,
  httpRequest: () => undefined,
  operation: () => undefined,
  client: () => NO_CLIENT_METER,
  eventLag: () => undefined,
  edge: NO_EDGE_METER,
  collect: () => undefined,
  render: async () => '',
  contentType: 'text/plain',
})
