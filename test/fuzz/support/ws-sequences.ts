import fc from 'fast-check'
import { Choices, choiceValues } from './choices.js'
import { anyGraphQLRequest, fragmentFanOut } from './document-shapes.js'
import { schemaDocument } from './schema-documents.js'

/**
 * graphql-transport-ws message sequences: the protocol's messages in any
 * order (init missing, twice or late; subscribe before init; duplicate ids;
 * complete for unknown ids; ping/pong), with good and bad documents, plus
 * frames that are not the protocol at all (bad JSON, unknown types, legacy
 * subscriptions-transport-ws types, binary, oversized).
 */

/** Just past the default websocket message cap (SUBSCRIPTION_MAX_PAYLOAD_BYTES, 1 MiB). */
export const OVERSIZED_MESSAGE_BYTES = 1_048_576 + 64

export type WsStep =
  | { readonly kind: 'init'; readonly payload: unknown }
  | { readonly kind: 'subscribe'; readonly id: string; readonly payload: unknown }
  | { readonly kind: 'complete'; readonly id: string }
  | { readonly kind: 'ping' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'raw'; readonly text: string; readonly binary: boolean }
  | { readonly kind: 'oversized' }

export interface WsSequence {
  /** Offered subprotocols; `graphql-ws` alone is the legacy protocol, which the server refuses (4406). */
  readonly protocols: readonly string[]
  /**
   * Paced: each step waits for the server's answer before the next is sent,
   * as a real client would; the answer then depends only on the input, so
   * the same sequence must end the same way twice. Unpaced: all at once.
   */
  readonly paced: boolean
  readonly steps: readonly WsStep[]
}

const IDS = ['1', '1', '2', 'a', '', 'x'.repeat(300)] as const

const SUBSCRIPTIONS = [
  'subscription { stockChanged(productIds: ["1"]) { eventId product { name price { amount } } } }',
  'subscription { orderStatusChanged(userId: "1", after: "0-0") { eventId order { id status } } }',
  'subscription { notificationAdded(userId: "1") { eventId notification { message } } }',
  'subscription($ids: [ID!]!) { stockChanged(productIds: $ids) { eventId } }',
  'subscription A { stockChanged(productIds: ["1"]) { eventId } } subscription B { notificationAdded(userId: "1") { eventId } }',
  'mutation { placeOrder(input: { userId: "1", items: [{ productId: "1", quantity: 1 }] }) { id status } }',
  '{ product(id: "1") { name } }',
] as const

/** A subscribe payload: a GraphQL request (subscriptions weighted up), or something that is not one. */
const subscribePayload: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: choiceValues().map((values) => schemaDocument(new Choices(values), undefined, 'subscription')), weight: 3 },
  { arbitrary: fc.record({ query: fc.constantFrom(...SUBSCRIPTIONS), variables: fc.constantFrom({ ids: ['1', '2'] }, { ids: [] }, {}, undefined) }), weight: 3 },
  { arbitrary: anyGraphQLRequest, weight: 3 },
  // The fragment fan-out inside live events: each event's product is resolved through the fragments.
  {
    arbitrary: fragmentFanOut
      .filter((request) => request.query.includes(' on Product '))
      .map((request) => ({ query: `subscription { stockChanged(productIds: ["1"], after: "0-0") { product { ...F0 } } }${request.query.slice(request.query.indexOf('\n'))}` })),
    weight: 1,
  },
  fc.constantFrom(undefined, null, 'x', 1, [], {}, { query: 1 }, { query: '{ __typename }', variables: [] }, { query: '{ __typename }', operationName: 1 }, { query: '{ __typename }', extensions: 'x' }),
)

const RAW_FRAMES = [
  '{not json',
  '',
  'null',
  '[]',
  '"connection_init"',
  '{}',
  '{"type":"unknown"}',
  '{"type":"start","id":"1","payload":{"query":"{ __typename }"}}',
  '{"type":"connection_terminate"}',
  '{"type":"stop","id":"1"}',
  '{"type":"ka"}',
  '{"type":"subscribe","id":1,"payload":{"query":"{ __typename }"}}',
  '{"type":"subscribe","id":"1"}',
  '{"type":"complete"}',
  '{"type":"next","id":"1","payload":{"data":{}}}',
  '{"type":"error","id":"1","payload":[]}',
  '{"type":"connection_ack"}',
  '{"type":"ping","payload":"x"}',
  '{"type":"connection_init","payload":"token"}',
  '{"type":"connection_init","payload":{"__proto__":{"admin":true}}}',
] as const

const step: fc.Arbitrary<WsStep> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('init' as const), payload: fc.constantFrom(undefined, {}, { token: 'x' }, null, 'x', [1]) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('subscribe' as const), id: fc.constantFrom(...IDS), payload: subscribePayload }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('complete' as const), id: fc.constantFrom(...IDS, 'unknown') }), weight: 2 },
  { arbitrary: fc.constantFrom<WsStep>({ kind: 'ping' }, { kind: 'pong' }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.constantFrom(...RAW_FRAMES), fc.string({ maxLength: 40 })), binary: fc.boolean() }), weight: 2 },
  { arbitrary: fc.constant<WsStep>({ kind: 'oversized' }), weight: 1 },
)

export const wsSequence: fc.Arbitrary<WsSequence> = fc
  .record({
    protocols: fc.constantFrom<readonly string[]>(
      ['graphql-transport-ws'],
      ['graphql-transport-ws'],
      ['graphql-transport-ws'],
      ['graphql-transport-ws'],
      ['graphql-ws'],
      [],
      ['graphql-ws', 'graphql-transport-ws'],
    ),
    paced: fc.boolean(),
    // Most clients start with connection_init; a sequence without it tests the rule.
    init: fc.constantFrom(true, true, true, false),
    steps: fc.array(step, { maxLength: 8 }),
  })
  .map(({ protocols, paced, init, steps }) => ({
    protocols,
    paced,
    steps: init ? [{ kind: 'init', payload: undefined } as const, ...steps] : steps,
  }))

/** The frame a step sends. */
export function frameOf(step: WsStep): string | Buffer {
  switch (step.kind) {
    case 'init':
      return JSON.stringify(step.payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: step.payload })
    case 'subscribe':
      return JSON.stringify(step.payload === undefined ? { type: 'subscribe', id: step.id } : { type: 'subscribe', id: step.id, payload: step.payload })
    case 'complete':
      return JSON.stringify({ type: 'complete', id: step.id })
    case 'ping':
      return '{"type":"ping"}'
    case 'pong':
      return '{"type":"pong"}'
    case 'raw':
      return step.binary ? Buffer.from(step.text) : step.text
    case 'oversized':
      return JSON.stringify({ type: 'subscribe', id: 'big', payload: { query: `{ product(id: "${'9'.repeat(OVERSIZED_MESSAGE_BYTES)}") { name } }` } })
  }
}
