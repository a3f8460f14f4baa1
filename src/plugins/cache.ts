import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Subscription } from 'rxjs'
import type { Store } from '../cache/store.js'
import { createCacheCounters, type CounterSet } from '../cache/counters.js'
import type { BreakerState } from '../lib/breaker-state.js'
import { createEntityCache } from '../cache/entity-cache.js'
import { sameEntryValue } from '../cache/envelope.js'
import { createGuardedStore, type GuardedStore } from '../cache/guarded-store.js'
import { createInvalidationBus, type InvalidationBus } from '../cache/invalidation-bus.js'
import { createKeyspace } from '../cache/keys.js'
import { createMemoryStore } from '../cache/memory-store.js'
import { createNearStore } from '../cache/near-store.js'
import { createRedisStore } from '../cache/redis-store.js'
import { createResponseCache, type ResponseCache } from '../cache/response-cache.js'
import { createRedisEvictions, type RedisEvictions } from '../cache/redis-evictions.js'
import { readCacheHints } from '../cache/ttl-policy.js'
import type { Config } from '../config/load-config.js'
import { DOWNSTREAM_FETCH_FAILURES } from '../data/fetch-failures.js'
import { invalidateOnEvents } from '../data/invalidation.js'
import { RESOURCES, type DataCache } from '../data/resources.js'
import { openSubscriberConnection, reconnectDelayMs, subscriberNodes, watchTopology } from './redis.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The entity cache; data sources take a per-request view of it. */
    cache: DataCache
    /**
     * The store under the entity cache (guarded Redis, or the in-process LRU),
     * for other short-lived entries under the same prefix (persisted queries);
     * null when the cache is disabled.
     */
    cacheStore: Store | null
    /** What the cache counted and its store breaker, as /health/ready and /metrics both read them. */
    cacheStats: CacheStats
    /** Whole query answers kept in front of execution (RESPONSE_CACHE_ENABLED); null when off. */
    responseCache: ResponseCache | null
  }
}

export interface CacheStats {
  counters(): Readonly<Record<string, Readonly<CounterSet>>>
  /** The Redis store's breaker; null when the cache has no Redis store. */
  breakerState(): BreakerState | null
}

/** Longest answer kept (UTF-16 code units of its serialized data): big pages are rare repeats and would crowd out screens. */
const MAX_KEPT_ANSWER_LENGTH = 256 * 1_024

/** Longest an answer is kept, however fresh what it read: the event-invalidated fresh period's default. */
const MAX_KEPT_ANSWER_HOLD_MS = 300_000

export interface CachePluginOptions {
  readonly config: Config
  /** The schema's SDL (read once by buildApp): its @cacheControl hints set the TTLs. */
  readonly sdl: string
}

/**
 * Builds the entity cache: Redis (behind a deadline and a breaker) when the
 * `redis` plugin has a client, else (or with CACHE_STORE=memory) the bounded
 * in-process LRU, one per instance, kept in step by the event log every
 * instance reads. TTLs come
 * from the SDL's @cacheControl; domain events invalidate entries. In front of
 * Redis, an in-process L1 of decoded PUBLIC entities: every invalidation is
 * broadcast on `<prefix>l1:invalidate` and the L1 is only used while this
 * instance is subscribed to that channel. Redis evictions are counted per
 * resource from its keyspace notifications, when the server publishes them
 * (`evictionEvents` in readiness). The readiness section
 * says `degraded` while Redis is bypassed, never "not ready": without a cache
 * the BFF still serves every query.
 */
async function cachePlugin(app: FastifyInstance, options: CachePluginOptions): Promise<void> {
  const settings = options.config.cache
  const log = app.log.child({ component: 'cache' })
  const counters = createCacheCounters()
  const keyspace = createKeyspace({ prefix: settings.keyPrefix, version: settings.keyVersion })
  const hints = readCacheHints(options.sdl, settings.ttlOverridesS)

  let guarded: GuardedStore | null = null
  let store: Store | null = null
  // Set right below; the breaker only calls onRecover after a later outage.
  let recover: () => void = () => undefined
  if (settings.enabled && settings.store === 'redis' && app.redis !== null) {
    guarded = createGuardedStore({
      inner: createRedisStore({ client: app.redis }),
      timeoutMs: settings.redisTimeoutMs,
      failureThreshold: settings.breakerThreshold,
      halfOpenAfterMs: settings.breakerHalfOpenMs,
      log,
      onRecover: () => recover(),
    })
    store = guarded
  } else if (settings.enabled) {
    store = createMemoryStore({
      maxEntries: settings.memoryMaxEntries,
      onEvict: (key) => counters.add(keyspace.resourceOf(key) ?? 'other', 'evictions'),
      // Every write to an entry happens here, so kept answers may outlive their entries' freshness
      // (see below); only then is a write compared with what it replaces.
      onWrite:
        settings.responses?.serveStale === true
          ? (key, before, after) => {
              if (before === null || !sameEntryValue(before, after)) responseCache?.changed(key)
            }
          : undefined,
    })
  }

  // Only in front of Redis: there it saves a round trip and a decode per entity. In front of the
  // in-process store it saved no CPU measurably, while its churn of short-lived decoded entries
  // lengthened scavenge pauses and set the p99 (figures in docs/benchmarks.md, "Where the tail came from").
  // It starts suspended: it may only be used once other instances' invalidations can be heard.
  const near =
    guarded === null || settings.l1MaxEntries === 0
      ? null
      : createNearStore({ maxEntries: settings.l1MaxEntries, ttlMs: settings.l1TtlMs, active: false })
  // Set right below; nothing is broadcast before the cache exists.
  let bus: InvalidationBus | null = null

  // With Redis they live behind the L1 (the config refuses them without one): no longer than its entries,
  // and only while it is in use, so a lost invalidation leaves a stale answer no longer than a stale L1 entry.
  const responseCache =
    settings.responses === null
      ? null
      : createResponseCache({
          maxEntries: settings.responses.maxEntries,
          maxLength: MAX_KEPT_ANSWER_LENGTH,
          maxHoldMs: near === null ? MAX_KEPT_ANSWER_HOLD_MS : Math.min(MAX_KEPT_ANSWER_HOLD_MS, settings.l1TtlMs),
          active: near?.active ?? true,
          // Never with Redis (the config sees to it): other instances refresh the entries unseen there.
          servesStale: settings.responses.serveStale,
        })

  const cache = createEntityCache({
    resources: RESOURCES,
    failures: DOWNSTREAM_FETCH_FAILURES,
    store,
    near,
    // Even without an L1 of its own, an instance tells the others (they may have one).
    broadcast: guarded === null ? undefined : async (invalidation) => bus?.publish(invalidation),
    answers: responseCache,
    keyspace,
    hints,
    defaults: {
      defaultMaxAgeS: settings.defaultMaxAgeS,
      staleWhileRevalidateS: settings.staleWhileRevalidateS,
      staleIfErrorS: settings.staleIfErrorS,
      negativeTtlS: settings.negativeTtlS,
      ttlJitterPercent: settings.ttlJitterPercent,
      // Without the services' events, nothing but expiry would ever refresh them.
      eventInvalidatedMaxAgeS: app.eventLogShared ? settings.eventInvalidatedMaxAgeS : 0,
    },
    lease: { ttlMs: settings.leaseTtlMs, waitMs: settings.leaseWaitMs },
    // As often as the breaker probes Redis: a retry while it is open costs nothing (bypassed).
    retryMissedMs: settings.breakerHalfOpenMs,
    counters,
    log,
  })
  recover = () => {
    cache.recover().catch((err: unknown) => log.warn({ err }, 'replaying missed cache invalidations failed'))
  }
  app.decorate('cache', cache)
  app.decorate('cacheStore', store)
  app.decorate('responseCache', responseCache)
  app.decorate('cacheStats', { counters: () => counters.snapshot(), breakerState: () => guarded?.breakerState() ?? null })

  const client = app.redis
  if (guarded !== null && client !== null) {
    const guard = guarded
    bus = createInvalidationBus({
      channel: `${settings.keyPrefix}l1:invalidate`,
      send: (channel, payload) => guard.run('broadcast', () => client.publish(channel, payload)),
      connect: near === null ? undefined : (attempt) => openSubscriberConnection(client, attempt),
      heartbeatMs: settings.l1HeartbeatMs,
      sendBeat: (channel, payload) => client.publish(channel, payload),
      reconnectDelayMs: (failures) => reconnectDelayMs(failures, settings.redisReconnectMaxMs),
      onInvalidation: (invalidation) => cache.heard(invalidation),
      onListening: (listening) => {
        if (listening) {
          near?.resume()
          responseCache?.resume()
        } else {
          near?.suspend()
          responseCache?.suspend()
        }
      },
      log,
    })
  }
  // The in-process store counts its own evictions (onEvict above); Redis tells of its own only through keyspace notifications.
  const evictions: RedisEvictions | null =
    guarded === null || client === null
      ? null
      : createRedisEvictions({
          nodes: () => subscriberNodes(client),
          watchTopology: (listener) => watchTopology(client, listener),
          keyspace,
          counters,
          reconnectDelayMs: (failures) => reconnectDelayMs(failures, settings.redisReconnectMaxMs),
          log,
        })

  const events: Subscription | null = store === null ? null : invalidateOnEvents(app.domainEvents, cache, log)

  app.readiness.register('cache', () => {
    const breaker = app.cacheStats.breakerState() ?? 'closed'
    const connected = guarded === null || app.redis === null || app.redis.status === 'ready'
    const policies = cache.policies()
    const stats = app.cacheStats.counters()
    return {
      ready: true,
      // Until the breaker has stayed closed a while: a flapping one (one Cluster master down) is still an outage.
      degraded: store !== null && ((guarded?.degraded() ?? false) || !connected),
      backend: cache.backend,
      ...(guarded === null ? {} : { breaker, connected }),
      evictionEvents: evictions?.status ?? 'n/a',
      l1: { enabled: near !== null, active: near?.active ?? false, entries: near?.size ?? 0, received: bus?.received ?? 0 },
      responses: responseCache === null ? { enabled: false } : { enabled: true, active: responseCache.active, entries: responseCache.size, ...responseCache.stats() },
      resources: Object.fromEntries(Object.entries(policies).map(([label, policy]) => [label, { ...policy, ...stats[label] }])),
    }
  })

  app.addHook('onClose', async () => {
    events?.unsubscribe()
    cache.close()
    await bus?.close()
    await evictions?.close()
    await store?.close()
  })
}

export default fp(cachePlugin, { name: 'cache', dependencies: ['redis', 'event-log', 'health'] })
