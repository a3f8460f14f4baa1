import { randomBytes } from 'node:crypto'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { scrape, total } from '../../helpers/metrics.js'
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js'
import { waitFor } from '../../helpers/wait-for.js'
import { subscribe } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor } from '../subscriptions/harness.js'

const STOCK = /* GraphQL */ `
  subscription ($ids: [ID!]!) {
    stockChanged(productIds: $ids) { eventId product { id name stock } }
  }
`
const CLIENT = 3

async function setStock(inventoryUrl: string, productId: string, stock: number, traceparent: string): Promise<void> {
  const response = await request(`${inventoryUrl}/inventory/${productId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ stock }),
  })
  await response.body.dump()
  if (response.statusCode >= 400) throw new Error(`PUT stock answered ${response.statusCode}`)
}

let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

describe('subscription telemetry', () => {
  it('counts connections, active subscriptions by field, deliveries and their lag; each event resolution is a trace linked to the event origin, with the downstream calls under it', async () => {
    receiver = await startOtlpReceiver()
    const mocks = await startTestMocks()
    const bff = await startBff(mocks, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } })
    const client = wsClientFor(bff)
    const first = subscribe(client, STOCK, { ids: ['12'] })
    const second = subscribe(client, STOCK, { ids: ['12'] })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(2)

    let metrics = await scrape(bff.httpUrl)
    expect(total(metrics, 'bff_subscription_connections')).toBe(1)
    expect(total(metrics, 'bff_subscriptions_active', { field: 'stockChanged' })).toBe(2)

    // The publisher's request carried a trace context: the event keeps it and its resolution links to it.
    const originTrace = randomBytes(16).toString('hex')
    const originSpan = randomBytes(8).toString('hex')
    await setStock(mocks.urls.inventory, '12', 41, `00-${originTrace}-${originSpan}-01`)
    const results = [await first.next(), await second.next()]
    for (const result of results) expect(result.errors).toBeUndefined()
    const eventId = (results[0]?.data?.['stockChanged'] as { eventId: string }).eventId

    metrics = await scrape(bff.httpUrl)
    expect(total(metrics, 'bff_subscription_events_total', { result: 'delivered' })).toBe(2)
    expect(total(metrics, 'bff_subscription_event_lag_seconds')).toBe(2)

    first.dispose()
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(1)
    metrics = await scrape(bff.httpUrl)
    expect(total(metrics, 'bff_subscriptions_active', { field: 'stockChanged' })).toBe(1)

    // The event's span ends when its shared data layer is dropped; closing the app drops it.
    await bff.close()
    const root = await waitFor(() => receiver?.spans.find((s) => s.name === 'subscription event' && s.attributes['bff.event.id'] === eventId), {
      message: 'the event span',
    })
    expect(root.parentSpanId).toBeUndefined()
    expect(root.traceId).not.toBe(originTrace)
    expect(root.links).toEqual([expect.objectContaining({ traceId: originTrace, spanId: originSpan })])
    const calls = receiver.spans.filter((s) => s.traceId === root.traceId && s.kind === CLIENT)
    // Both subscribers' product lookups shared the event's data layer: the calls hang under its span.
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.every((s) => s.parentSpanId === root.spanId)).toBe(true)
  })

  it('counts queries over the websocket in the operation metric, as over HTTP; subscriptions are not operations with a duration', async () => {
    const mocks = await startTestMocks()
    const bff = await startBff(mocks)
    const client = wsClientFor(bff)
    const query = subscribe(client, 'query Who { user(id: "1") { id name } }')
    expect((await query.next()).errors).toBeUndefined()
    await query.ended
    const live = subscribe(client, STOCK, { ids: ['3'] })
    await expect.poll(() => bff.app.subscriptions.stats().subscriptions).toBe(1)
    const metrics = await scrape(bff.httpUrl)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds', { graphql_operation_type: 'query', graphql_operation_name: 'Who', outcome: 'ok' })).toBe(1)
    expect(total(metrics, 'bff_graphql_operation_duration_seconds', { graphql_operation_type: 'subscription' })).toBe(0)
    live.dispose()
  })
})
