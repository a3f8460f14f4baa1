import fc from 'fast-check'
import { anyGraphQLRequest, schemaRequest } from './document-shapes.js'
import type { HttpCall } from './http-driver.js'

/**
 * HTTP requests to /graphql the way a careless or hostile client sends them:
 * raw bodies (odd field types, non-objects, truncated or huge JSON, wrong
 * content types) and raw query strings (repeated parameters, bad JSON,
 * broken percent-encoding, mutations over GET).
 */

/** Just past the default body limit (SERVER_BODY_LIMIT_BYTES, 1 MiB), so both sides of it are reached. */
export const MAX_BODY_BYTES = 1_100_000
/** Deepest JSON nesting in a body. */
export const MAX_JSON_NESTING = 50_000

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/graphql-response+json',
  'text/plain',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json, text/plain',
  'application/jsonx',
  '',
] as const

const ACCEPTS = [
  'application/graphql-response+json',
  'application/json',
  undefined,
  '*/*',
  'text/html',
  'application/graphql-response+json;q=0',
  'application/*;q=0.1, text/*',
  ',,;;',
] as const

/** Values of odd types for a GraphQL parameter (query, variables, operationName, extensions). */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, 1.5, true, '', [], {}, ['{ __typename }'], { query: '{ __typename }' }, '{}', '[1]', 'null'),
  fc.jsonValue({ maxDepth: 3 }),
)

/** The parameters object with any field missing, of the right type, or of an odd one. */
const graphqlParams: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      query: fc.oneof({ arbitrary: schemaRequest.map((request) => request.query), weight: 3 }, oddValue),
      variables: fc.oneof(fc.dictionary(fc.constantFrom('v0', 'v1', 'id', '__proto__', 'constructor'), oddValue, { maxKeys: 3 }), oddValue),
      operationName: fc.oneof(fc.constantFrom('Op0', 'Op1', 'Nope', ''), oddValue),
      extensions: fc.oneof(fc.constant({ persistedQuery: { version: 1, sha256Hash: 'abc' } }), oddValue),
    },
    { requiredKeys: [] },
  )

const nested = (depth: number, open: string, inner: string, close: string): string => `${open.repeat(depth)}${inner}${close.repeat(depth)}`

/** Request bodies, from almost right to plainly wrong. */
const rawBody: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: graphqlParams.map((params) => JSON.stringify(params)), weight: 4 },
  { arbitrary: anyGraphQLRequest.map((request) => JSON.stringify(request)), weight: 2 },
  // Not an object at all.
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
  // Cut anywhere.
  fc.tuple(graphqlParams.map((params) => JSON.stringify(params)), fc.nat()).map(([text, at]) => text.slice(0, at % Math.max(1, text.length))),
  fc.constantFrom(
    '',
    ' ',
    '\ufeff{"query":"{ __typename }"}',
    '{"query":"{ __typename }","query":"{ nope }"}',
    '{"query":"{ __typename }","__proto__":{"query":"{ nope }"}}',
    '{"query":"query($v: ID!) { product(id: $v) { name } }","variables":{"__proto__":{"v":"1"}}}',
    '{"query":"{ __typename }"}garbage',
    '{"query":"\\ud800"}',
    'query=%7B__typename%7D',
  ),
  // Deep JSON: as the body, and as a variable the schema will coerce.
  fc.integer({ min: 1, max: MAX_JSON_NESTING }).map((depth) => nested(depth, '[', '1', ']')),
  fc
    .integer({ min: 1, max: MAX_JSON_NESTING })
    .map((depth) => `{"query":"query($v: PlaceOrderInput!) { __typename }","variables":{"v":${nested(depth, '{"a":', '1', '}')}}}`),
  // Huge values, around the body limit.
  fc
    .constantFrom(1_000, 100_000, 1_000_000, MAX_BODY_BYTES)
    .map((size) => JSON.stringify({ query: 'query($v: String) { search(query: $v) { totalCount } }', variables: { v: 'x'.repeat(size) } })),
)

export interface RawPost {
  readonly method: HttpCall['method']
  readonly contentType: string
  readonly accept: string | undefined
  readonly body: string
}

/** POST (and the odd other method) with a raw body and headers. */
export const rawPost: fc.Arbitrary<RawPost> = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  contentType: fc.constantFrom(...CONTENT_TYPES),
  accept: fc.constantFrom(...ACCEPTS),
  body: rawBody,
})

export function rawPostCall(post: RawPost): HttpCall {
  const headers: Record<string, string> = {}
  if (post.contentType !== '') headers['content-type'] = post.contentType
  if (post.accept !== undefined) headers['accept'] = post.accept
  return { method: post.method, path: '/graphql', headers, body: post.body }
}

const PARAMETER_NAMES = ['query', 'query', 'variables', 'operationName', 'extensions', 'Query', 'query[]', 'query[0]', ''] as const

/** How a parameter's value is written into the URL. */
const ENCODINGS = {
  /** As URLSearchParams writes it (spaces as +). */
  form: (value: string) => new URLSearchParams({ v: value }).toString().slice(2),
  component: (value: string) => encodeURIComponent(value),
  /**
   * Barely encoded: only what the HTTP client refuses to send raw (controls,
   * spaces and anything past U+00FF), plus & and # so the parameter stays one.
   */
  raw: (value: string) => value.replace(/[^\u0021-\u00ff]|[&#%]/gu, (char) => encodeURIComponent(char)),
  /** A percent sign that starts no escape, or a lone byte of a UTF-8 sequence. */
  broken: (value: string) => `${encodeURIComponent(value)}${'%'}`,
  badUtf8: (value: string) => `${encodeURIComponent(value)}%C3`,
} as const

const parameterValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: anyGraphQLRequest.map((request) => request.query), weight: 4 },
  fc.constantFrom(
    'mutation { likeReview(id: "1") { id } }',
    'mutation M { markNotificationsRead(ids: ["1"]) }',
    'subscription { stockChanged(productIds: ["1"]) { eventId } }',
    '{"v0":"1"}',
    '{"v0":',
    '[1]',
    'null',
    '"string"',
    'Op0',
    'Nope',
    '',
  ),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
)

export interface RawGet {
  readonly method: 'GET' | 'HEAD'
  readonly path: '/graphql' | '/graphql/'
  readonly parameters: readonly { readonly name: string; readonly value: string; readonly encoding: keyof typeof ENCODINGS }[]
  readonly accept: string | undefined
}

/** GET (and HEAD) with a hand-written query string: any parameters, repeated or missing, written any way. */
export const rawGet: fc.Arbitrary<RawGet> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
  path: fc.constantFrom('/graphql', '/graphql', '/graphql/'),
  parameters: fc.array(
    fc.record({
      name: fc.constantFrom(...PARAMETER_NAMES),
      value: parameterValue,
      encoding: fc.constantFrom('form', 'form', 'component', 'raw', 'broken', 'badUtf8'),
    }),
    { maxLength: 5 },
  ),
  accept: fc.constantFrom(...ACCEPTS),
})

export function rawGetCall(get: RawGet): HttpCall {
  const query = get.parameters.map(({ name, value, encoding }) => `${encodeURIComponent(name)}=${ENCODINGS[encoding](value)}`).join('&')
  return { method: get.method, path: query === '' ? get.path : `${get.path}?${query}`, headers: get.accept === undefined ? {} : { accept: get.accept } }
}
