import Fastify, { type FastifyBaseLogger } from 'fastify'
import type { Store } from '../../../src/cache/store.js'
import { createCacheCounters, type CacheCounters } from '../../../src/cache/counters.js'
import { createEntityCache } from '../../../src/cache/entity-cache.js'
import { DOWNSTREAM_FETCH_FAILURES } from '../../../src/data/fetch-failures.js'
import { RESOURCES, type DataCache } from '../../../src/data/resources.js'
import type { Invalidation } from '../../../src/cache/invalidation-bus.js'
import { createKeyspace, type Keyspace } from '../../../src/cache/keys.js'
import type { NearStore } from '../../../src/cache/near-store.js'
import { readCacheHints } from '../../../src/cache/ttl-policy.js'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'

/** A real pino logger (fastify's) whose lines are parsed into `lines`. */
export function captureLog(): { readonly log: FastifyBaseLogger; readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const app = Fastify({
    logger: { level: 'debug', stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } },
  })
  return { log: app.log, lines }
}

export interface TestCache {
  readonly cache: DataCache
  readonly counters: CacheCounters
  readonly keyspace: Keyspace
  /** Advances the cache's clock (entry freshness); store TTLs keep real time. */
  advance(ms: number): void
}

const SDL = loadSchemaSdl()

export function testCache(
  store: Store | null,
  options: {
    readonly overridesS?: Readonly<Record<string, number>>
    readonly leaseWaitMs?: number
    readonly swrS?: number
    readonly staleIfErrorS?: number
    readonly log?: FastifyBaseLogger
    readonly near?: NearStore
    readonly broadcast?: (invalidation: Invalidation) => Promise<void>
    readonly retryMissedMs?: number
  } = {},
): TestCache {
  let offset = 0
  const counters = createCacheCounters()
  const keyspace = createKeyspace({ prefix: 'test:', version: 1 })
  const cache = createEntityCache({
    resources: RESOURCES,
    failures: DOWNSTREAM_FETCH_FAILURES,
    store,
    keyspace,
    hints: readCacheHints(SDL, options.overridesS ?? {}),
    defaults: {
      defaultMaxAgeS: 0,
      staleWhileRevalidateS: options.swrS ?? 10,
      staleIfErrorS: options.staleIfErrorS ?? 300,
      negativeTtlS: 5,
      // Exact deadlines in these tests; test/unit/cache/envelope.test.ts covers the jitter.
      ttlJitterPercent: 0,
    },
    lease: { ttlMs: 1_000, waitMs: options.leaseWaitMs ?? 0 },
    counters,
    log: options.log ?? captureLog().log,
    now: () => Date.now() + offset,
    near: options.near,
    broadcast: options.broadcast,
    retryMissedMs: options.retryMissedMs,
  })
  return { cache, counters, keyspace, advance: (ms) => void (offset += ms) }
}

export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function createDeferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
