import { describe, expect, it } from 'vitest'
import { SERVICE_NAMES, type ServiceName } from '../../../../src/config/services.js'
import { createDownstreamsReadiness } from '../../../../src/downstream/resilience/downstreams-readiness.js'
import { createServicePolicy, type ServicePolicy } from '../../../../src/downstream/resilience/service-policy.js'

function policies(now: () => number) {
  const all = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, createServicePolicy({ service, breaker: { minCalls: 1, cooldownMs: 1_000 }, now })]),
  ) as Record<ServiceName, ServicePolicy>
  const trip = (service: ServiceName) => {
    const permit = all[service].breaker.tryAcquire('r')
    if (permit !== null) all[service].breaker.record(permit, 'failure', 'r')
  }
  return { all, trip }
}

describe('createDownstreamsReadiness', () => {
  it('is ready and not degraded with every circuit closed, and reports numbers per service', () => {
    const { all } = policies(() => 0)
    all.users.recordAttempt('success', 4)
    all.users.recordAttempt('failure', 10)
    const report = createDownstreamsReadiness(all, ['users'])()
    expect(report).toMatchObject({ ready: true, degraded: false, coreServices: ['users'] })
    expect(report.services['users']).toEqual({
      breaker: 'closed',
      errorRatio: 0.5,
      calls: 2,
      latencyMs: { p50: 4, p99: 10 },
      inFlight: 0,
      queued: 0,
      limit: 25,
      retriesInFlight: 0,
    })
    expect(report.services['reviews']).toMatchObject({ errorRatio: null, latencyMs: { p50: null, p99: null } })
  })

  it('is degraded, still ready, when a non-core circuit is open', () => {
    const { all, trip } = policies(() => 0)
    trip('recommendations')
    expect(createDownstreamsReadiness(all, ['users'])()).toMatchObject({ ready: true, degraded: true })
  })

  it('is not ready while a core circuit is open, and ready again once its cool-down allows probes', () => {
    let now = 0
    const { all, trip } = policies(() => now)
    trip('users')
    const check = createDownstreamsReadiness(all, ['users'])
    expect(check()).toMatchObject({ ready: false })
    now = 1_000
    expect(check()).toMatchObject({ ready: true, services: { users: { breaker: 'half-open' } } })
    expect(createDownstreamsReadiness(all, [])()).toMatchObject({ ready: true })
  })
})
