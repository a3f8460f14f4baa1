import { describe, expect, it } from 'vitest'
import { parseStartMocksConfig } from '../../../mocks/start-mocks-config.js'

describe('parseStartMocksConfig', () => {
  it('defaults to no overrides and no event generator', () => {
    expect(parseStartMocksConfig({}, [])).toEqual({
      ok: true,
      config: { options: { host: '127.0.0.1', ports: {}, faults: {}, requireIdentity: false }, eventsIntervalMs: 0, help: false },
    })
  })

  it('reads env knobs, per-service env over global env', () => {
    const result = parseStartMocksConfig(
      { MOCK_HOST: '0.0.0.0', MOCK_USERS_PORT: '5001', MOCK_LATENCY_MS: '20,50', MOCK_CATALOG_LATENCY_MS: '5', MOCK_ERROR_RATE: '0.1', MOCK_ORDERS_ERROR_STATUS: '503', MOCK_EVENTS_INTERVAL_MS: '250' },
      [],
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const { options, eventsIntervalMs } = result.config
    expect(options.host).toBe('0.0.0.0')
    expect(options.ports).toEqual({ users: 5001 })
    expect(options.faults?.users).toEqual({ latencyMs: [20, 50], errorRate: 0.1 })
    expect(options.faults?.catalog).toEqual({ latencyMs: 5, errorRate: 0.1 })
    expect(options.faults?.orders).toEqual({ latencyMs: [20, 50], errorRate: 0.1, errorStatus: 503 })
    expect(eventsIntervalMs).toBe(250)
  })

  it('lets flags win over env, per-service flags over bare ones whatever their order', () => {
    const result = parseStartMocksConfig({ MOCK_LATENCY_MS: '100' }, [
      '--latency', 'users=20', '--latency', '5', '--hang-rate', 'reviews=0.5', '--port', 'orders=0', '--host', '::1', '--events-interval', '1000',
    ])
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const { options, eventsIntervalMs } = result.config
    expect(options.faults?.users).toEqual({ latencyMs: 20 })
    expect(options.faults?.catalog).toEqual({ latencyMs: 5 })
    expect(options.faults?.reviews).toEqual({ latencyMs: 5, hangRate: 0.5 })
    expect(options.ports).toEqual({ orders: 0 })
    expect(options.host).toBe('::1')
    expect(eventsIntervalMs).toBe(1_000)
  })

  it('reads the auth mock: its port, identity required, key grace', () => {
    const fromEnv = parseStartMocksConfig({ MOCK_AUTH_PORT: '5008', MOCK_REQUIRE_IDENTITY: 'true', MOCK_AUTH_KEY_GRACE_MS: '1000' }, [])
    expect(fromEnv.ok && fromEnv.config.options).toMatchObject({ ports: { auth: 5008 }, requireIdentity: true, auth: { keyGraceMs: 1_000 } })
    const fromFlags = parseStartMocksConfig({ MOCK_REQUIRE_IDENTITY: 'false' }, ['--port', 'auth=0', '--require-identity', '--key-grace-ms', '0'])
    expect(fromFlags.ok && fromFlags.config.options).toMatchObject({ ports: { auth: 0 }, requireIdentity: true, auth: { keyGraceMs: 0 } })
  })

  it.each([
    [{ MOCK_AUTH_PORT: '-1' }, [], /MOCK_AUTH_PORT must be a port/],
    [{}, ['--latency', 'auth=5'], /unknown service "auth"/],
    [{}, ['--port', 'payments=5'], /--port: unknown service "payments"/],
    [{ MOCK_REQUIRE_IDENTITY: 'yes' }, [], /MOCK_REQUIRE_IDENTITY must be true or false/],
    [{ MOCK_AUTH_KEY_GRACE_MS: '1.5' }, [], /MOCK_AUTH_KEY_GRACE_MS \/ --key-grace-ms must be an integer/],
    [{ MOCK_LATENCY_MS: 'fast' }, [], /MOCK_LATENCY_MS must be a non-negative number/],
    [{ MOCK_LATENCY_MS: '50,20' }, [], /MOCK_LATENCY_MS: latencyMs/],
    [{ MOCK_ERROR_RATE: '2' }, [], /MOCK_ERROR_RATE: errorRate/],
    [{ MOCK_USERS_ERROR_STATUS: '404' }, [], /MOCK_USERS_ERROR_STATUS: errorStatus/],
    [{ MOCK_USERS_PORT: '70000' }, [], /MOCK_USERS_PORT must be a port/],
    [{}, ['--latency', 'payments=5'], /unknown service "payments"/],
    [{}, ['--port', '4001'], /--port needs <service>=<port>/],
    [{}, ['--bogus'], /Unknown option '--bogus'/],
    [{ MOCK_EVENTS_INTERVAL_MS: '5' }, [], /0 \(off\) or >= 10/],
  ])('rejects %j %j', (env, argv, message) => {
    const result = parseStartMocksConfig(env, argv)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toMatch(message)
  })
})
