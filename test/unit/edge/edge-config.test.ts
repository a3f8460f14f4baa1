import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'

/** Not about identity: a config needs a provider or an explicit AUTH_DISABLED. */
const NO_AUTH = { AUTH_DISABLED: 'true' } as const

describe('edge configuration', () => {
  it('defaults: limits on, Shopify-sized bucket, X-Forwarded-For not believed', () => {
    const config = loadConfig(NO_AUTH)
    expect(config.edge).toEqual({
      maxAliases: 30,
      maxDirectives: 50,
      maxCost: 1_000,
      rateLimit: { enabled: true, burst: 1_000, pointsPerSecond: 50, instancesHint: 1, redisTimeoutMs: 50, redisRetryMs: 1_000, keyPrefix: 'bff:rl:', maxBuckets: 100_000, earlyRetryDelayMs: 1_000 },
      trustProxy: false,
    })
    expect(config.graphql).toMatchObject({ graphiql: true, introspection: true })
  })

  it('reads TRUST_PROXY as fastify takes it: a flag, a hop count, or addresses', () => {
    expect(loadConfig({ ...NO_AUTH, TRUST_PROXY: 'true' }).edge.trustProxy).toBe(true)
    expect(loadConfig({ ...NO_AUTH, TRUST_PROXY: '2' }).edge.trustProxy).toBe(2)
    expect(loadConfig({ ...NO_AUTH, TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).edge.trustProxy).toBe('10.0.0.0/8,127.0.0.1')
  })

  it('maps NODE_ENV=production to defaults only: explicit settings win', () => {
    expect(loadConfig({ ...NO_AUTH, NODE_ENV: 'production' }).graphql).toMatchObject({ graphiql: false, introspection: false })
    expect(loadConfig({ ...NO_AUTH, NODE_ENV: 'production', GRAPHIQL_ENABLED: 'true' }).graphql).toMatchObject({ graphiql: true, introspection: false })
  })

  it('names a bad value', () => {
    expect(() => loadConfig({ ...NO_AUTH, RATE_LIMIT_POINTS_PER_SECOND: '0' })).toThrow(/RATE_LIMIT_POINTS_PER_SECOND/)
  })
})
