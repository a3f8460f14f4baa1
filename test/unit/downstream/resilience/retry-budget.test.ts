import { describe, expect, it } from 'vitest'
import { createRetryBudget, retryLimit } from '../../../../src/downstream/resilience/retry-budget.js'

describe('retryLimit', () => {
  it('is max(minConcurrency, ratio * active) (Envoy retry budget)', () => {
    expect(retryLimit(0, 0.2, 3)).toBe(3)
    expect(retryLimit(15, 0.2, 3)).toBe(3)
    expect(retryLimit(60, 0.2, 3)).toBe(12)
    expect(retryLimit(61, 0.2, 3)).toBeCloseTo(12.2)
    expect(retryLimit(100, 0, 0)).toBe(0)
  })
})

describe('createRetryBudget', () => {
  const activeCalls = (count: number) => {
    const budget = createRetryBudget({ ratio: 0.2, minConcurrency: 3 })
    for (let i = 0; i < count; i++) budget.begin()
    return budget
  }
  const grants = (budget: ReturnType<typeof createRetryBudget>, tries: number) =>
    Array.from({ length: tries }, () => budget.tryAcquire()).filter(Boolean).length

  it('always allows minConcurrency retries in flight', () => {
    expect(grants(activeCalls(1), 10)).toBe(3)
  })

  it('allows ratio * active retries in flight under load, never a fraction above it', () => {
    expect(grants(activeCalls(60), 100)).toBe(12)
    expect(grants(activeCalls(61), 100)).toBe(12)
    expect(grants(activeCalls(65), 100)).toBe(13)
  })

  it('gives a token back on release and follows the active count', () => {
    const budget = activeCalls(20)
    expect(grants(budget, 10)).toBe(4)
    budget.release()
    expect(budget.tryAcquire()).toBe(true)
    expect(budget.tryAcquire()).toBe(false)
    for (let i = 0; i < 15; i++) budget.end()
    expect(budget.snapshot()).toEqual({ active: 5, retriesInFlight: 4, limit: 3 })
    budget.release()
    budget.release()
    expect(budget.tryAcquire()).toBe(true)
  })

  it('rejects nonsense options, naming the field', () => {
    expect(() => createRetryBudget({ ratio: 1.5 })).toThrow(/ratio/)
    expect(() => createRetryBudget({ minConcurrency: -1 })).toThrow(/minConcurrency/)
  })
})
