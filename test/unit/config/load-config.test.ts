import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'
import { BffError } from '../../../src/errors.js'

describe('loadConfig', () => {
  it('gives bounded defaults for every timeout when nothing is set', () => {
    const config = loadConfig({ AUTH_DISABLED: 'true' })
    expect(config.server.port).toBe(4000)
    expect(config.server.requestTimeoutMs).toBe(10_000)
    expect(config.downstream.headersTimeoutMs).toBe(5_000)
    expect(config.downstream.bodyTimeoutMs).toBe(5_000)
    expect(config.downstream.maxResponseBytes).toBe(8 * 1_048_576)
    expect(config.downstream.services.users.url).toBe('http://127.0.0.1:4001')
    expect(config.downstream.services.recommendations.url).toBe('http://127.0.0.1:4007')
    expect(config.redis.url).toBeNull()
  })

  it('keeps whole answers by default, with Redis only behind the L1, and refuses to when asked to with Redis and no L1', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).cache.responses).toEqual({ maxEntries: 10_000, serveStale: true })
    expect(loadConfig({ AUTH_DISABLED: 'true', RESPONSE_CACHE_ENABLED: 'false' }).cache.responses).toBeNull()
    expect(loadConfig({ AUTH_DISABLED: 'true', CACHE_ENABLED: 'false' }).cache.responses).toBeNull()
    for (const redis of [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { REDIS_CLUSTER_NODES: '127.0.0.1:7000' }]) {
      expect(loadConfig({ AUTH_DISABLED: 'true', ...redis }).cache.responses).toEqual({ maxEntries: 10_000, serveStale: false })
      expect(loadConfig({ AUTH_DISABLED: 'true', CACHE_L1_MAX_ENTRIES: '1', ...redis }).cache.responses).toEqual({ maxEntries: 10_000, serveStale: false })
      expect(loadConfig({ AUTH_DISABLED: 'true', CACHE_L1_MAX_ENTRIES: '0', ...redis }).cache.responses).toBeNull()
      expect(loadConfig({ AUTH_DISABLED: 'true', RESPONSE_CACHE_ENABLED: 'false', ...redis }).cache.responses).toBeNull()
      expect(() => loadConfig({ AUTH_DISABLED: 'true', RESPONSE_CACHE_ENABLED: 'true', CACHE_L1_MAX_ENTRIES: '0', ...redis })).toThrow(
        expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringMatching(/RESPONSE_CACHE_ENABLED=true with Redis needs the L1/) }),
      )
    }
  })

  it('applies per-service overrides over the shared default', () => {
    const config = loadConfig({ AUTH_DISABLED: 'true', DOWNSTREAM_TIMEOUT_MS: '700', RECOMMENDATIONS_TIMEOUT_MS: '250', USERS_URL: 'http://users.internal:80/' })
    expect(config.downstream.services.users.timeoutMs).toBe(700)
    expect(config.downstream.services.recommendations.timeoutMs).toBe(250)
    expect(config.downstream.services.users.url).toBe('http://users.internal:80')
  })

  it('is frozen all the way down', () => {
    const config = loadConfig({ AUTH_DISABLED: 'true' })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.downstream.services.users)).toBe(true)
  })

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['DOWNSTREAM_TIMEOUT_MS', '-5', 'DOWNSTREAM_TIMEOUT_MS'],
    ['USERS_URL', 'not a url', 'USERS_URL'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL'],
    ['GRAPHIQL_ENABLED', 'maybe', 'GRAPHIQL_ENABLED'],
  ])('rejects %s=%s naming the variable', (name, value, named) => {
    let thrown: unknown
    try {
      loadConfig({ AUTH_DISABLED: 'true', [name]: value })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BffError)
    expect((thrown as BffError).code).toBe('BFF_ERR_CONFIG_INVALID')
    expect((thrown as BffError).message).toContain(named)
  })

  it('treats empty strings as unset', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true', PORT: '' }).server.port).toBe(4000)
  })
})
