import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { scrape, total } from '../../helpers/metrics.js'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { HOME } from '../../helpers/home-query.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

describe('GET /metrics', () => {
  it('after known traffic, counts equal what was sent: operations, server requests, and per service the attempts the mocks received', async () => {
    stack = await startStack()
    const queries = 6
    for (let i = 0; i < queries; i += 1) {
      const { body } = await gql(stack, HOME, { id: String((i % 3) + 1) })
      expect(body.errors).toBeUndefined()
    }
    const metrics = await scrape(stack.bffUrl)

    expect(metrics.get('http_server_request_duration_seconds')?.type).toBe('HISTOGRAM')
    expect(total(metrics, 'http_server_request_duration_seconds', { http_route: '/graphql', http_request_method: 'POST', http_response_status_code: '200' })).toBe(queries)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds', { graphql_operation_type: 'query', graphql_operation_name: 'Home', outcome: 'ok' })).toBe(queries)
    for (const service of SERVICE_NAMES) {
      const received = (await mockStats(stack.mocks.urls[service])).requests
      expect({ service, attempts: total(metrics, 'http_client_request_duration_seconds', { server_address: service }) }).toEqual({ service, attempts: received })
      expect(total(metrics, 'http_client_request_duration_seconds', { server_address: service, outcome: 'ok' })).toBe(received)
      expect(total(metrics, 'bff_circuit_breaker_state', { server_address: service })).toBe(0)
    }
    // The home query reached six of the seven services.
    expect(total(metrics, 'http_client_request_duration_seconds')).toBeGreaterThanOrEqual(6)
    expect(total(metrics, 'bff_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0)
  })

  it('failing attempts and their retries are counted as the mocks saw them, and /health/ready reads the same breaker and cache numbers', async () => {
    stack = await startStack({ DOWNSTREAM_BREAKER_MIN_CALLS: '4', DOWNSTREAM_BREAKER_COOLDOWN_MS: '60000' })
    // 503: a status worth retrying (a 500 is not retried).
    await setFaults(stack.mocks.urls.recommendations, { errorRate: 1, errorStatus: 503 })
    for (let i = 0; i < 4; i += 1) await gql(stack, HOME, { id: '1' })
    const metrics = await scrape(stack.bffUrl)
    const received = (await mockStats(stack.mocks.urls.recommendations)).requests
    expect(received).toBeGreaterThan(0)
    expect(total(metrics, 'http_client_request_duration_seconds', { server_address: 'recommendations', outcome: 'error' })).toBe(received)
    expect(total(metrics, 'bff_downstream_retries_total', { server_address: 'recommendations' })).toBeGreaterThan(0)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds', { graphql_operation_name: 'Home', outcome: 'partial' })).toBeGreaterThan(0)
    // Four failed calls (with their retries) over a minimum of four opened the circuit; later calls were refused without a request.
    expect(total(metrics, 'bff_circuit_breaker_state', { server_address: 'recommendations' })).toBe(2)
    expect(total(metrics, 'bff_circuit_breaker_transitions_total', { server_address: 'recommendations', state: 'open' })).toBe(1)

    const ready = (await (await request(`${stack.bffUrl}/health/ready`)).body.json()) as {
      downstreams: { services: Record<string, { breaker: string }> }
      cache: { resources: Record<string, { hits?: number; misses?: number }> }
    }
    expect(ready.downstreams.services['recommendations']?.breaker).toBe('open')
    for (const [resource, counts] of Object.entries(ready.cache.resources)) {
      if (counts.misses === undefined) continue
      expect({ resource, misses: total(metrics, 'bff_cache_lookups_total', { resource, result: 'miss' }) }).toEqual({ resource, misses: counts.misses })
    }
  })

  it('keeps operation-name series bounded: 10,000 distinct names make at most METRICS_MAX_OPERATION_NAMES + `other`', async () => {
    stack = await startStack({ METRICS_MAX_OPERATION_NAMES: '20' })
    const app = stack.app
    for (let i = 0; i < 10_000; i += 1) {
      const response = await app.inject({ method: 'POST', url: '/graphql', payload: { query: `query Op${i} { __typename }` } })
      if (response.statusCode !== 200) throw new Error(`query ${i} answered ${response.statusCode}`)
    }
    const metrics = await scrape(stack.bffUrl)
    const names = new Set(metrics.get('bff_graphql_operation_duration_seconds')?.series.map((s) => s.labels['graphql_operation_name']))
    expect(names.size).toBe(21)
    expect(names.has('Op0') && names.has('Op19') && !names.has('Op20')).toBe(true)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds', { graphql_operation_name: 'other' })).toBe(10_000 - 20)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds')).toBe(10_000)
  }, 120_000)

  it('is not served with METRICS_ENABLED=false', async () => {
    stack = await startStack({ METRICS_ENABLED: 'false' })
    const response = await request(`${stack.bffUrl}/metrics`)
    await response.body.dump()
    expect(response.statusCode).toBe(404)
  })
})
