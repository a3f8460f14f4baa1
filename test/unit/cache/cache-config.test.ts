import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'

describe('cache configuration', () => {
  it('defaults to an enabled cache with the issue 4 limits', () => {
    expect(loadConfig({}).cache).toMatchObject({
      enabled: true,
      keyPrefix: 'bff:',
      keyVersion: 1,
      clusterNodes: null,
      redisTimeoutMs: 100,
      ttlOverridesS: {},
      leaseWaitMs: 200,
    })
  })

  it('reads overrides as a JSON map of schema coordinates to seconds, and cluster nodes', () => {
    const cache = loadConfig({ CACHE_TTL_OVERRIDES: '{"Product.price":1,"User":60}', REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' }).cache
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
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringContaining(name) }))
  })
})
