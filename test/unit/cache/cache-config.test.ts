import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'

describe('cache configuration', () => {
  it('defaults to an enabled cache with the documented limits', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).cache).toMatchObject({
      enabled: true,
      keyPrefix: 'bff:',
      keyVersion: 1,
      clusterNodes: null,
      redisTimeoutMs: 100,
      ttlOverridesS: {},
      leaseWaitMs: 200,
      l1MaxEntries: 10_000,
      l1TtlMs: 5_000,
      l1HeartbeatMs: 250,
    })
  })

  it('keeps entities where CACHE_STORE says, or in Redis exactly when Redis is configured', () => {
    const redis = { AUTH_DISABLED: 'true', REDIS_URL: 'redis://127.0.0.1:6379' }
    expect(loadConfig({ AUTH_DISABLED: 'true' }).cache).toMatchObject({ store: 'memory', responses: { maxEntries: 10_000 } })
    expect(loadConfig(redis).cache.store).toBe('redis')
    expect(loadConfig({ AUTH_DISABLED: 'true', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).cache.store).toBe('redis')
    // In process beside Redis: kept answers follow the embedded store's rule, with or without an L1.
    expect(loadConfig({ ...redis, CACHE_STORE: 'memory', CACHE_L1_MAX_ENTRIES: '0' }).cache).toMatchObject({ store: 'memory', responses: { maxEntries: 10_000 } })
    expect(loadConfig({ ...redis, CACHE_STORE: 'memory', RESPONSE_CACHE_ENABLED: 'true', CACHE_L1_MAX_ENTRIES: '0' }).cache.responses).not.toBeNull()
    expect(loadConfig({ ...redis, CACHE_STORE: 'redis' }).cache.store).toBe('redis')
  })

  it('serves kept answers past freshness only from the in-process store, unless RESPONSE_CACHE_SERVE_STALE=false', () => {
    const redis = { AUTH_DISABLED: 'true', REDIS_URL: 'redis://127.0.0.1:6379' }
    expect(loadConfig({ AUTH_DISABLED: 'true' }).cache.responses?.serveStale).toBe(true)
    expect(loadConfig({ ...redis, CACHE_STORE: 'memory' }).cache.responses?.serveStale).toBe(true)
    expect(loadConfig(redis).cache.responses?.serveStale).toBe(false)
    expect(loadConfig({ ...redis, RESPONSE_CACHE_SERVE_STALE: 'true' }).cache.responses?.serveStale).toBe(false)
    expect(loadConfig({ AUTH_DISABLED: 'true', RESPONSE_CACHE_SERVE_STALE: 'false' }).cache.responses?.serveStale).toBe(false)
  })

  it('refuses CACHE_STORE=redis without Redis, and values it does not know', () => {
    expect(() => loadConfig({ AUTH_DISABLED: 'true', CACHE_STORE: 'redis' })).toThrow(
      expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringContaining('CACHE_STORE=redis needs REDIS_URL') }),
    )
    expect(() => loadConfig({ AUTH_DISABLED: 'true', CACHE_STORE: 'disk' })).toThrow(expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringContaining('CACHE_STORE') }))
  })

  it('turns the L1 off with CACHE_L1_MAX_ENTRIES=0', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true', CACHE_L1_MAX_ENTRIES: '0', CACHE_L1_TTL_MS: '250' }).cache).toMatchObject({ l1MaxEntries: 0, l1TtlMs: 250 })
  })

  it('reads overrides as a JSON map of schema coordinates to seconds, and cluster nodes', () => {
    const cache = loadConfig({ AUTH_DISABLED: 'true', CACHE_TTL_OVERRIDES: '{"Product.price":1,"User":60}', REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' }).cache
    expect(cache.ttlOverridesS).toEqual({ 'Product.price': 1, User: 60 })
    expect(cache.clusterNodes).toEqual([{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }])
  })

  it.each([
    ['CACHE_TTL_OVERRIDES', 'not json'],
    ['CACHE_TTL_OVERRIDES', '{"Product":-1}'],
    ['CACHE_TTL_OVERRIDES', '{"bad key":1}'],
    ['CACHE_KEY_PREFIX', '{tag}'],
    ['REDIS_CLUSTER_NODES', 'localhost'],
    ['CACHE_REDIS_TIMEOUT_MS', '0'],
    ['CACHE_L1_MAX_ENTRIES', '-1'],
    ['CACHE_L1_MAX_ENTRIES', 'many'],
    ['CACHE_L1_TTL_MS', '0'],
    ['CACHE_L1_TTL_MS', '60001'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ AUTH_DISABLED: 'true', [name]: value })).toThrow(expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringContaining(name) }))
  })
})
