import { randomBytes } from 'node:crypto'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { HOME } from '../../helpers/home-query.js'

const SERVER = 2
const CLIENT = 3

interface Recorded {
  readonly traceparent: string | null
}

async function receivedTraceparents(url: string): Promise<(string | null)[]> {
  const response = await request(`${url}/__admin/requests`)
  return ((await response.body.json()) as { requests: Recorded[] }).requests.map((r) => r.traceparent)
}

let stack: Stack | undefined
let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await stack?.close()
  await receiver?.close()
  stack = undefined
  receiver = undefined
})

function captureLogs(): { logs: Record<string, unknown>[]; logger: Record<string, unknown> } {
  const logs: Record<string, unknown>[] = []
  return { logs, logger: { level: 'info', stream: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } } }
}

describe('tracing', () => {
  it('continues the caller trace: one server span `query Home`, one client span per downstream request under it, traceparent sent to each service, trace ids on every log line', async () => {
    receiver = await startOtlpReceiver()
    const { logs, logger } = captureLogs()
    stack = await startStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'bff-under-test', LOG_LEVEL: 'info' },
      logger,
    })
    expect(stack.app.telemetry.tracing.enabled).toBe(true)
    const traceId = randomBytes(16).toString('hex')
    const callerSpanId = randomBytes(8).toString('hex')
    const { body } = await gql(stack, HOME, { id: '1' }, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } })
    expect(body.errors).toBeUndefined()
    await stack.app.telemetry.tracing.flush()
    const ours = () => receiver?.spans.filter((s) => s.traceId === traceId) ?? []
    await waitFor(() => ours().some((s) => s.kind === SERVER), { message: 'the server span' })

    const servers = ours().filter((s) => s.kind === SERVER)
    expect(servers).toHaveLength(1)
    const server = servers[0]!
    expect(server).toMatchObject({ name: 'query Home', parentSpanId: callerSpanId, serviceName: 'bff-under-test' })
    expect(server.attributes).toMatchObject({ 'graphql.operation.name': 'Home', 'graphql.operation.type': 'query', 'http.response.status_code': 200 })

    const clients = ours().filter((s) => s.kind === CLIENT)
    let sent = 0
    for (const service of SERVICE_NAMES) {
      const received = (await mockStats(stack.mocks.urls[service])).requests
      sent += received
      expect({ service, spans: clients.filter((s) => s.attributes['server.address'] === service).length }).toEqual({ service, spans: received })
      // Every request the service received named one of our client spans as its parent.
      for (const header of await receivedTraceparents(stack.mocks.urls[service])) {
        const [, headerTrace, headerSpan] = (header ?? '').split('-')
        expect(headerTrace).toBe(traceId)
        expect(clients.some((s) => s.spanId === headerSpan)).toBe(true)
      }
    }
    expect(clients).toHaveLength(sent)
    expect(sent).toBeGreaterThanOrEqual(6)
    for (const client of clients) {
      expect(client.parentSpanId).toBe(server.spanId)
      expect(client.attributes).toMatchObject({ 'bff.outcome': 'ok', 'bff.breaker.state': 'closed', 'http.response.status_code': 200 })
    }

    const requestLines = logs.filter((line) => line['reqId'] !== undefined && String(line['msg']).includes('request'))
    expect(requestLines.length).toBeGreaterThanOrEqual(2)
    for (const line of requestLines.filter((l) => (l['req'] as { url?: string } | undefined)?.url?.startsWith('/graphql') ?? true)) {
      expect(line).toMatchObject({ trace_id: traceId, span_id: server.spanId })
    }
  })

  it('shows each retry as its own client span, and cache reads that skip the network as span events', async () => {
    receiver = await startOtlpReceiver()
    stack = await startStack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })
    // 503: a status worth retrying.
    await setFaults(stack.mocks.urls.recommendations, { errorRate: 1, errorStatus: 503 })
    const first = randomBytes(16).toString('hex')
    await gql(stack, HOME, { id: '1' }, { headers: { traceparent: `00-${first}-${randomBytes(8).toString('hex')}-01` } })
    const second = randomBytes(16).toString('hex')
    await gql(stack, HOME, { id: '1' }, { headers: { traceparent: `00-${second}-${randomBytes(8).toString('hex')}-01` } })
    await stack.app.telemetry.tracing.flush()
    const spansOf = (traceId: string) => receiver?.spans.filter((s) => s.traceId === traceId) ?? []
    await waitFor(() => spansOf(second).some((s) => s.kind === SERVER), { message: 'the second server span' })

    const attempts = spansOf(first).filter((s) => s.kind === CLIENT && s.attributes['server.address'] === 'recommendations')
    expect(attempts.map((s) => s.attributes['http.request.resend_count']).sort()).toEqual([0, 1])
    expect(attempts.every((s) => s.attributes['bff.outcome'] === 'error' && s.attributes['http.response.status_code'] === 503)).toBe(true)
    // The second query found the first one's entities in the cache.
    const server = spansOf(second).find((s) => s.kind === SERVER)
    expect(server?.events.some((e) => e.name === 'cache.read')).toBe(true)
  })

  it('is off without an exporter: no SDK, no spans, no traceparent downstream, no trace ids in logs', async () => {
    receiver = await startOtlpReceiver()
    const { logs, logger } = captureLogs()
    stack = await startStack({ env: { LOG_LEVEL: 'info' }, logger })
    expect(stack.app.telemetry.tracing.enabled).toBe(false)
    const { body } = await gql(stack, HOME, { id: '1' }, { headers: { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` } })
    expect(body.errors).toBeUndefined()
    await stack.app.telemetry.tracing.flush()
    expect(receiver.requests).toBe(0)
    const headers = await receivedTraceparents(stack.mocks.urls.users)
    expect(headers.length).toBeGreaterThan(0)
    expect(headers.every((h) => h === null)).toBe(true)
    expect(logs.length).toBeGreaterThan(0)
    expect(logs.some((line) => 'trace_id' in line)).toBe(false)
  })
})
