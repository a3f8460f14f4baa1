import { describe, expect, expectTypeOf, it } from 'vitest'
import { loadConfig, type ResilienceConfig } from '../../../../src/config/load-config.js'
import type { CallContext } from '../../../../src/downstream/call-context.js'
import type { Deadline } from '../../../../src/downstream/resilience/deadline.js'

describe('resilience configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ AUTH_DISABLED: 'true' })
    expect(config.downstream.services.users.timeoutMs).toBe(800)
    expect(config.downstream.services.recommendations.timeoutMs).toBe(250)
    expect(config.resilience).toEqual({
      requestDeadlineMs: 2_000,
      coreServices: ['users'],
      retry: { baseMs: 25, capMs: 250, budgetRatio: 0.2, minConcurrency: 3 },
      breaker: { failureRatio: 0.5, minCalls: 20, windowMs: 10_000, cooldownMs: 5_000, halfOpenProbes: 3 },
      services: expect.objectContaining({
        users: { attemptTimeoutMs: 800, maxRetries: 1, bulkheadConcurrency: 25, bulkheadQueue: 50 },
        recommendations: { attemptTimeoutMs: 250, maxRetries: 1, bulkheadConcurrency: 25, bulkheadQueue: 50 },
      }),
    })
    expect(Object.isFrozen(config.resilience.services.users)).toBe(true)
  })

  it('applies per-service overrides over the DOWNSTREAM_* defaults', () => {
    const config = loadConfig({
      AUTH_DISABLED: 'true',
      DOWNSTREAM_RETRY_MAX: '2',
      ORDERS_RETRY_MAX: '0',
      DOWNSTREAM_ATTEMPT_TIMEOUT_MS: '300',
      USERS_ATTEMPT_TIMEOUT_MS: '5000',
      RECOMMENDATIONS_TIMEOUT_MS: '400',
      CATALOG_BULKHEAD_CONCURRENCY: '4',
      CATALOG_BULKHEAD_QUEUE: '0',
      DOWNSTREAM_CORE_SERVICES: 'users, orders',
    })
    const { services } = config.resilience
    expect(services.orders.maxRetries).toBe(0)
    expect(services.users.maxRetries).toBe(2)
    // An attempt never outlasts the call it belongs to.
    expect(services.users.attemptTimeoutMs).toBe(800)
    expect(services.orders.attemptTimeoutMs).toBe(300)
    expect(config.downstream.services.recommendations.timeoutMs).toBe(400)
    expect(services.catalog).toMatchObject({ bulkheadConcurrency: 4, bulkheadQueue: 0 })
    expect(config.resilience.coreServices).toEqual(['users', 'orders'])
    expect(loadConfig({ AUTH_DISABLED: 'true', DOWNSTREAM_CORE_SERVICES: 'none' }).resilience.coreServices).toEqual([])
  })

  it.each([
    [{ DOWNSTREAM_RETRY_BUDGET_RATIO: '1.5' }, /DOWNSTREAM_RETRY_BUDGET_RATIO/],
    [{ DOWNSTREAM_BREAKER_FAILURE_RATIO: '0' }, /DOWNSTREAM_BREAKER_FAILURE_RATIO/],
    [{ DOWNSTREAM_CORE_SERVICES: 'users,billing' }, /DOWNSTREAM_CORE_SERVICES/],
    [{ REQUEST_DEADLINE_MS: '0' }, /REQUEST_DEADLINE_MS/],
    [{ USERS_BULKHEAD_CONCURRENCY: '0' }, /USERS_BULKHEAD_CONCURRENCY/],
    [{ DOWNSTREAM_RETRY_BASE_MS: '100', DOWNSTREAM_RETRY_CAP_MS: '50' }, /DOWNSTREAM_RETRY_CAP_MS.*DOWNSTREAM_RETRY_BASE_MS/],
  ])('rejects %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringMatching(message) }))
  })

  it('exposes typed public shapes', () => {
    expectTypeOf<ResilienceConfig['services']['users']['maxRetries']>().toEqualTypeOf<number>()
    expectTypeOf<ResilienceConfig['coreServices']>().toEqualTypeOf<readonly ('users' | 'catalog' | 'inventory' | 'orders' | 'reviews' | 'notifications' | 'recommendations')[]>()
    expectTypeOf<CallContext['deadline']>().toEqualTypeOf<Deadline | undefined>()
  })
})
