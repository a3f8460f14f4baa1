/**
 * Which server a load run targets, and so which request it sends: the home
 * query to the BFF or the baseline, or `{ __typename }` to the BFF (`floor`:
 * what every request costs before any field is resolved).
 */
export type TargetKind = 'bff' | 'baseline' | 'floor'

export interface LoadOptions {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string
  readonly kind: TargetKind
  readonly connections: number
  readonly durationS: number
  /** Sent as `Authorization: Bearer …` on every request, to either server. */
  readonly bearerToken?: undefined | string
  /** Stop after exactly this many responses instead of after `durationS` (autocannon only). */
  readonly amount?: undefined | number
  /** Extra request headers, e.g. `accept-encoding` (autocannon only). */
  readonly headers?: undefined | Readonly<Record<string, string>>
}

/** One load run as every generator reports it; latencies in ms. */
export interface LoadResult {
  /** Responses received (any status). */
  readonly requests: number
  readonly durationS: number
  readonly reqPerS: number
  readonly latencyMs: { readonly p50: number; readonly p97_5: number; readonly p99: number }
  readonly non2xx: number
  /** Connection errors and timeouts. */
  readonly socketErrors: number
  /** 200 answers whose body holds a GraphQL `errors` entry (partial data). */
  readonly graphqlErrors: number
  /** Those errors by `extensions.code`, when the generator can read bodies cheaply (autocannon). */
  readonly errorCodes?: undefined | Readonly<Record<string, number>>
  /** What produced the load, for the report. */
  readonly generator: string
}
