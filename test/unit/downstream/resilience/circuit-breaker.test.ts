import { describe, expect, it } from 'vitest'
import {
  createCircuitBreaker,
  type BreakerOptions,
  type BreakerPermit,
  type BreakerTransition,
  type CallOutcome,
} from '../../../../src/downstream/resilience/circuit-breaker.js'

function setup(options: Omit<BreakerOptions, 'now' | 'onTransition'> = {}) {
  let now = 1_000_000
  const transitions: BreakerTransition[] = []
  const breaker = createCircuitBreaker({ ...options, now: () => now, onTransition: (t) => transitions.push(t) })
  const call = (outcome: CallOutcome, requestId = 'r'): BreakerPermit | null => {
    const permit = breaker.tryAcquire(requestId)
    if (permit !== null) breaker.record(permit, outcome, requestId)
    return permit
  }
  return { breaker, transitions, call, advance: (ms: number) => (now += ms) }
}

describe('createCircuitBreaker (Hystrix defaults: 50 % of >= 20 calls in 10 s)', () => {
  it('stays closed below the minimum call volume, whatever the ratio', () => {
    const { breaker, call } = setup()
    for (let i = 0; i < 19; i++) call('failure')
    expect(breaker.state()).toBe('closed')
    call('failure', 'req-20')
    expect(breaker.state()).toBe('open')
  })

  it('opens when failures reach the ratio over the window, not below it', () => {
    const { breaker, call, transitions } = setup()
    for (let i = 0; i < 11; i++) call('success')
    for (let i = 0; i < 10; i++) call('failure')
    // 10 / 21 < 0.5
    expect(breaker.state()).toBe('closed')
    call('failure', 'tripping-request')
    // 11 / 22 = 0.5
    expect(breaker.state()).toBe('open')
    expect(transitions).toEqual([{ from: 'closed', to: 'open', successes: 11, failures: 11, requestId: 'tripping-request' }])
  })

  it('ignores calls older than the window', () => {
    const { breaker, call, advance } = setup()
    for (let i = 0; i < 19; i++) call('failure')
    advance(11_000)
    call('failure')
    expect(breaker.state()).toBe('closed')
  })

  it('does not count ignored outcomes (client aborts, deadline cuts, shed calls)', () => {
    const { breaker, call } = setup({ minCalls: 2 })
    for (let i = 0; i < 50; i++) call('ignore')
    call('failure')
    expect(breaker.state()).toBe('closed')
  })

  it('fails fast while open, then lets probes through after the cool-down and closes on their success', () => {
    const { breaker, call, advance, transitions } = setup({ minCalls: 2, cooldownMs: 1_000, halfOpenProbes: 2 })
    call('failure')
    call('failure')
    expect(breaker.tryAcquire('x')).toBeNull()
    advance(999)
    expect(breaker.tryAcquire('x')).toBeNull()
    advance(1)
    // Readable as half-open before any probe arrives (readiness must not wait for traffic).
    expect(breaker.state()).toBe('half-open')
    const first = breaker.tryAcquire('probe-1')
    const second = breaker.tryAcquire('probe-2')
    expect(first?.probe).toBe(true)
    expect(second?.probe).toBe(true)
    // Only as many probes as are needed to close.
    expect(breaker.tryAcquire('x')).toBeNull()
    breaker.record(first as BreakerPermit, 'success', 'probe-1')
    expect(breaker.state()).toBe('half-open')
    breaker.record(second as BreakerPermit, 'success', 'probe-2')
    expect(breaker.state()).toBe('closed')
    expect(transitions.map((t) => [t.to, t.requestId])).toEqual([
      ['open', 'r'],
      ['half-open', 'probe-1'],
      ['closed', 'probe-2'],
    ])
    // Closing clears the window: the failures that opened it do not count again.
    call('failure')
    expect(breaker.state()).toBe('closed')
  })

  it('reopens on a failed probe for another full cool-down', () => {
    const { breaker, call, advance } = setup({ minCalls: 1, cooldownMs: 1_000 })
    call('failure')
    advance(1_000)
    call('failure')
    expect(breaker.state()).toBe('open')
    advance(999)
    expect(breaker.tryAcquire('x')).toBeNull()
    advance(1)
    expect(breaker.tryAcquire('x')).not.toBeNull()
  })

  it('frees the probe slot of a cancelled probe without deciding anything', () => {
    const { breaker, call, advance } = setup({ minCalls: 1, cooldownMs: 10, halfOpenProbes: 1 })
    call('failure')
    advance(10)
    const probe = breaker.tryAcquire('a') as BreakerPermit
    expect(breaker.tryAcquire('b')).toBeNull()
    breaker.record(probe, 'ignore', 'a')
    expect(breaker.state()).toBe('half-open')
    expect(call('success')).not.toBeNull()
    expect(breaker.state()).toBe('closed')
  })

  it('ignores late outcomes of calls admitted before the last transition', () => {
    const { breaker, call, advance } = setup({ minCalls: 1, cooldownMs: 10, halfOpenProbes: 1 })
    const slow = breaker.tryAcquire('slow') as BreakerPermit
    call('failure')
    expect(breaker.state()).toBe('open')
    advance(10)
    const probe = breaker.tryAcquire('probe') as BreakerPermit
    // The slow call admitted while closed fails now: it must not reopen the probing circuit.
    breaker.record(slow, 'failure', 'slow')
    expect(breaker.state()).toBe('half-open')
    breaker.record(probe, 'success', 'probe')
    expect(breaker.state()).toBe('closed')
  })

  it('validates its options', () => {
    expect(() => createCircuitBreaker({ failureRatio: 0 })).toThrow(/failureRatio/)
    expect(() => createCircuitBreaker({ minCalls: 0.5 })).toThrow(/minCalls/)
    expect(() => createCircuitBreaker({ cooldownMs: -1 })).toThrow(/cooldownMs/)
  })
})
