import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql, startStack, type Stack } from '../../helpers/stack.js'
import { connectRaw } from '../../helpers/ws-client.js'
import { bearer, tokenFor } from '../identity/identity-stack.js'

/** The caller's own screen (no userId: the token's subject). */
const OWN_HOME = '{ home { user { name } recentOrders(first: 5) { id } notifications { unreadCount } } }'
/** Points, refilled one a second: a few of OWN_HOME, then 429 for the rest of the test. */
const BURST = 24

const costOf = (answer: Awaited<ReturnType<typeof gql>>): number =>
  (answer.body as { extensions?: { cost?: { requestedQueryCost?: number } } }).extensions?.cost?.requestedQueryCost ?? Number.NaN

describe('rate limits keyed by the verified subject', () => {
  let stack: Stack
  let one: string
  let two: string
  beforeAll(async () => {
    stack = await startStack({ auth: true, env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: String(BURST), RATE_LIMIT_POINTS_PER_SECOND: '1' } })
    ;[one, two] = await Promise.all([tokenFor(stack.mocks, { sub: '1' }), tokenFor(stack.mocks, { sub: '2' })])
  })
  afterAll(async () => {
    await stack?.close()
  })

  it("spends one user's bucket over HTTP and websocket alike; another user and anonymous callers from the same address keep theirs", async () => {
    // Every caller here sends from 127.0.0.1: only the subject tells them apart.
    const first = await gql(stack, OWN_HOME, undefined, { headers: bearer(one) })
    expect(first.status).toBe(200)
    const cost = costOf(first)
    const admitted = Math.floor(BURST / cost)
    expect(admitted).toBeGreaterThanOrEqual(2)
    for (let i = 1; i < admitted; i += 1) expect((await gql(stack, OWN_HOME, undefined, { headers: bearer(one) })).status).toBe(200)
    const refused = await gql(stack, OWN_HOME, undefined, { headers: bearer(one) })
    expect(refused.status).toBe(429)
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED')

    expect((await gql(stack, OWN_HOME, undefined, { headers: bearer(two) })).status).toBe(200)
    expect((await gql(stack, '{ product(id: "1") { name } }')).status).toBe(200)

    // The websocket's caller is the token of its connection_init, charged to the same bucket.
    for (const [token, expected] of [
      [one, 'error'],
      [two, 'next'],
    ] as const) {
      const client = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
      try {
        client.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })
        expect(await client.waitForMessage()).toMatchObject({ type: 'connection_ack' })
        client.send({ id: 'own', type: 'subscribe', payload: { query: OWN_HOME } })
        const message = await client.waitForMessage()
        expect(message).toMatchObject({ id: 'own', type: expected })
        if (expected === 'error') expect(message).toMatchObject({ payload: [{ extensions: { code: 'RATE_LIMITED' } }] })
      } finally {
        client.ws.close()
      }
    }
  })
})
