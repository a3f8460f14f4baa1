import { describe, expect, it } from 'vitest'
import { gql } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { connectRaw, expectRefusedUpgradeClosed, rawUpgrade, subscribe, type RawClient } from '../../helpers/ws-client.js'
import { startBff, startTestMocks, wsClientFor, type BffOptions } from './harness.js'

const STOCK = 'subscription { stockChanged(productIds: ["1"]) { eventId } }'

async function bff(options: BffOptions = {}) {
  return startBff(await startTestMocks(), options)
}

async function acknowledged(url: string, payload?: Record<string, unknown>): Promise<RawClient> {
  const client = await connectRaw(url)
  client.send({ type: 'connection_init', ...(payload ? { payload } : {}) })
  expect(await client.waitForMessage()).toEqual({ type: 'connection_ack' })
  return client
}

describe('graphql-transport-ws protocol rules and limits', () => {
  it('4400: a message that is not valid JSON', async () => {
    const { wsUrl } = await bff()
    const client = await connectRaw(wsUrl)
    client.send('{not json')
    expect((await client.waitForClose()).code).toBe(4400)
  })

  it('4401: subscribe before connection_ack', async () => {
    const { wsUrl } = await bff()
    const client = await connectRaw(wsUrl)
    client.send({ type: 'subscribe', id: '1', payload: { query: STOCK } })
    expect((await client.waitForClose()).code).toBe(4401)
  })

  it('4403: the onConnect hook refuses the connection_init payload; the same hook admits a good token', async () => {
    const seen: unknown[] = []
    const { wsUrl } = await bff({
      authorizeSubscription: ({ payload }) => {
        seen.push(payload)
        return payload?.['token'] === 'good'
      },
    })
    await acknowledged(wsUrl, { token: 'good' })
    const refused = await connectRaw(wsUrl)
    refused.send({ type: 'connection_init', payload: { token: 'bad' } })
    expect(await refused.waitForClose()).toEqual({ code: 4403, reason: 'Forbidden' })
    expect(seen).toEqual([{ token: 'good' }, { token: 'bad' }])
  })

  it('4408: no connection_init within the timeout', async () => {
    const { wsUrl } = await bff({ env: { SUBSCRIPTION_INIT_TIMEOUT_MS: '100' } })
    const client = await connectRaw(wsUrl)
    expect((await client.waitForClose(2_000)).code).toBe(4408)
  })

  it('4409: a second subscribe with an id still in use', async () => {
    const { wsUrl } = await bff()
    const client = await acknowledged(wsUrl)
    client.send({ type: 'subscribe', id: 'a', payload: { query: STOCK } })
    client.send({ type: 'subscribe', id: 'a', payload: { query: STOCK } })
    expect((await client.waitForClose()).code).toBe(4409)
  })

  it('4409 with a reason that fits the frame when the reused id is longer than a close frame allows', async () => {
    // graphql-ws names the id in its reason; ws throws on reasons over 123 bytes, which ended the connection with 4500.
    const { wsUrl } = await bff()
    const client = await acknowledged(wsUrl)
    const id = 'é'.repeat(300)
    client.send({ type: 'subscribe', id, payload: { query: STOCK } })
    client.send({ type: 'subscribe', id, payload: { query: STOCK } })
    const closed = await client.waitForClose()
    expect(closed.code).toBe(4409)
    expect(closed.reason.startsWith('Subscriber for é')).toBe(true)
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123)
  })

  it('4429: a second connection_init', async () => {
    const { wsUrl } = await bff()
    const client = await acknowledged(wsUrl)
    client.send({ type: 'connection_init' })
    expect((await client.waitForClose()).code).toBe(4429)
  })

  it('1009: a message over the 1 MiB cap', async () => {
    const { wsUrl } = await bff()
    const client = await acknowledged(wsUrl)
    client.send(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(1_048_576) } }))
    expect((await client.waitForClose()).code).toBe(1009)
  })

  it('4406: a client that does not speak graphql-transport-ws', async () => {
    const { wsUrl } = await bff()
    const client = await connectRaw(wsUrl, { protocol: null })
    expect((await client.waitForClose()).code).toBe(4406)
  })

  it('a syntax error fails the operation, not the connection', async () => {
    const { wsUrl } = await bff()
    const client = await acknowledged(wsUrl)
    client.send({ type: 'subscribe', id: '1', payload: { query: 'subscription {' } })
    const error = await client.waitForMessage()
    expect(error).toMatchObject({ id: '1', type: 'error', payload: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] })
    client.send({ type: 'ping' })
    expect(await client.waitForMessage()).toEqual({ type: 'pong' })
  })

  it('applies the HTTP depth limit to operations over the websocket too', async () => {
    const { wsUrl } = await bff({ env: { GRAPHQL_QUERY_DEPTH_LIMIT: '3' } })
    const client = await acknowledged(wsUrl)
    client.send({ type: 'subscribe', id: 'deep', payload: { query: 'subscription { orderStatusChanged(userId: "1") { order { user { id } } } }' } })
    expect(await client.waitForMessage()).toMatchObject({ id: 'deep', type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] })
  })

  it('caps operations per connection (TOO_MANY_SUBSCRIPTIONS) and connections per instance (1013)', async () => {
    const instance = await bff({ env: { SUBSCRIPTION_MAX_PER_CONNECTION: '2', SUBSCRIPTION_MAX_CONNECTIONS: '2' } })
    const client = await acknowledged(instance.wsUrl)
    for (const id of ['1', '2', '3']) client.send({ type: 'subscribe', id, payload: { query: STOCK } })
    expect(await client.waitForMessage()).toMatchObject({ id: '3', type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] })

    await acknowledged(instance.wsUrl)
    const third = await connectRaw(instance.wsUrl)
    expect((await third.waitForClose()).code).toBe(1013)
    expect(instance.app.subscriptions.stats()).toMatchObject({ connections: 2, connectionsRefused: 1 })
  })

  it('keep-alive drops a peer that does not answer pings and keeps one that does', async () => {
    const { wsUrl } = await bff({ env: { SUBSCRIPTION_KEEP_ALIVE_MS: '100' } })
    const answering = await acknowledged(wsUrl)
    const silent = await connectRaw(wsUrl, { autoPong: false })
    silent.send({ type: 'connection_init' })
    // Terminated, not closed: a peer that does not answer pings would not answer a close either.
    expect((await silent.waitForClose(2_000)).code).toBe(1006)
    answering.send({ type: 'ping' })
    expect(await answering.waitForMessage()).toEqual({ type: 'pong' })
  })

  it('graceful shutdown closes subscribers with 1012, which the graphql-ws client treats as retryable', async () => {
    const instance = await bff()
    const closes: number[] = []
    const client = wsClientFor(instance, { on: { closed: (event) => closes.push((event as { code: number }).code) } })
    const probe = subscribe(client, STOCK)
    await expect.poll(() => instance.app.subscriptions.stats().subscriptions).toBe(1)
    await instance.close()
    // Ended by the close (retries exhausted here), not by a `complete`, which the client would not retry.
    expect(await probe.ended).toMatchObject({ code: 1012 })
    expect(closes).toEqual([1012])
  })

  it('an upgrade during a graceful shutdown is refused with 503 and its connection closed, and the shutdown completes', async () => {
    const instance = await bff({ env: { SUBSCRIPTION_DRAIN_TIMEOUT_MS: '4000' } })
    // A peer that never answers the close frame keeps the shutdown draining until the timeout.
    const held = rawUpgrade(instance.wsUrl)
    expect(await held.status).toBe(101)
    const closing = instance.close()
    await expectRefusedUpgradeClosed(instance.wsUrl, 503, 'an upgrade during the shutdown')
    await closing
    await waitFor(() => held.ended(), { message: 'the silent peer to be dropped once the drain timed out' })
  })

  it('a subscription POSTed over HTTP is pointed at the websocket endpoint', async () => {
    const instance = await bff()
    const answer = await gql({ bffUrl: instance.httpUrl }, STOCK)
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
  })
})
