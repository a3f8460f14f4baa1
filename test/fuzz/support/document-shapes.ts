import fc from 'fast-check'
import { parse } from 'graphql'
import { Choices, choiceValues } from './choices.js'
import { schemaDocument, type GraphQLRequest } from './schema-documents.js'

/**
 * Document shapes a random walk over the schema rarely reaches but attackers
 * write on purpose: fragment graphs that fan out, long fragment chains and
 * cycles, deep nesting, many aliases, many operations, and plain garbage.
 */

/**
 * Largest number of fragment visits a fan-out document asks for (fanOut^depth).
 * An unguarded walk over it takes a fraction of a second per field it runs
 * for; far more (depth 40 at fan-out 2) stalls the process for good, which
 * would stall this suite too while that defect is open.
 */
export const MAX_FRAGMENT_VISITS = 2 ** 22
/** The probe's chain of 2,000 fragments, and a little past it. */
export const MAX_FRAGMENT_CHAIN = 2_500
/** The probe's 5,000 nested fields, and a little past it. */
export const MAX_NESTING = 6_000
export const MAX_ALIASES = 300

/** Where a fragment graph is spread: on one object, or on every item of a list (the walk runs per item). */
const HOSTS = [
  { on: 'Product', open: '{ product(id: "1") { ', close: ' } }', leaf: 'name' },
  { on: 'Product', open: '{ search(query: "shoe", first: 5) { edges { node { ', close: ' } } } }', leaf: 'name' },
  { on: 'Product', open: '{ products(ids: ["1", "2", "3"]) { ', close: ' } }', leaf: 'name' },
  { on: 'User', open: '{ user(id: "1") { ', close: ' } }', leaf: 'id' },
  { on: 'Order', open: '{ order(id: "1") { ', close: ' } }', leaf: 'id' },
] as const

const maxDepthFor = (fanOut: number): number => (fanOut === 1 ? 22 : Math.floor(Math.log(MAX_FRAGMENT_VISITS) / Math.log(fanOut)))

/** Each of `depth` fragments spreads the next one `fanOut` times (the probe's doubling document at fanOut 2). */
export const fragmentFanOut: fc.Arbitrary<GraphQLRequest> = fc
  .record({ fanOut: fc.integer({ min: 1, max: 4 }), depth: fc.integer({ min: 1, max: 22 }), host: fc.constantFrom(...HOSTS) })
  .map(({ fanOut, depth: wanted, host }) => {
    const depth = Math.min(wanted, maxDepthFor(fanOut))
    const fragments = Array.from({ length: depth }, (_, index) => {
      const spreads = index === depth - 1 ? '' : `${Array.from({ length: fanOut }, () => `...F${index + 1}`).join(' ')} `
      return `fragment F${index} on ${host.on} { ${spreads}${host.leaf} }`
    })
    return { query: `${host.open}...F0${host.close}\n${fragments.join('\n')}` }
  })

/** F0 spreads F1, which spreads F2, ... `length` fragments deep (recursion over the chain). */
export const fragmentChain: fc.Arbitrary<GraphQLRequest> = fc
  .oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1_000, max: MAX_FRAGMENT_CHAIN }))
  .map((length) => {
    const fragments = Array.from({ length }, (_, index) => `fragment C${index} on Product { ${index === length - 1 ? '' : `...C${index + 1} `}name }`)
    return { query: `{ product(id: "1") { ...C0 } }\n${fragments.join('\n')}` }
  })

/** F0 → F1 → ... → F0 (spec: a validation error, never a loop). */
export const fragmentCycle: fc.Arbitrary<GraphQLRequest> = fc.integer({ min: 1, max: 4 }).map((length) => {
  const fragments = Array.from({ length }, (_, index) => `fragment Y${index} on User { id ...Y${(index + 1) % length} }`)
  return { query: `{ user(id: "1") { ...Y0 } }\n${fragments.join('\n')}` }
})

const NESTINGS = {
  // One follower per level: depth without fan-out (the schema-built documents cover fan-out).
  followers: (n: number) => `{ user(id: "1") { ${'followers(first: 1) { '.repeat(n)}id${' }'.repeat(n)} } }`,
  unknownFields: (n: number) => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`,
  inlineFragments: (n: number) => `{ ${'... on Query { '.repeat(n)}__typename${' }'.repeat(n)} }`,
  listLiteral: (n: number) => `{ products(ids: ${'['.repeat(n)}"1"${']'.repeat(n)}) { id } }`,
  objectLiteral: (n: number) => `{ product(id: ${'{ a: '.repeat(n)}1${' }'.repeat(n)}) { id } }`,
} as const

/** n levels of nesting, of fields, inline fragments or literals (recursion over the document). */
export const deepNesting: fc.Arbitrary<GraphQLRequest> = fc
  .record({
    kind: fc.constantFrom(...(Object.keys(NESTINGS) as (keyof typeof NESTINGS)[])),
    depth: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1_000, max: MAX_NESTING })),
  })
  .map(({ kind, depth }) => ({ query: NESTINGS[kind](depth) }))

/** n aliased root fields, each a separate product (width instead of depth). */
export const manyAliases: fc.Arbitrary<GraphQLRequest> = fc.integer({ min: 1, max: MAX_ALIASES }).map((count) => ({
  query: `{ ${Array.from({ length: count }, (_, index) => `a${index}: product(id: "${(index % 50) + 1}") { name }`).join(' ')} }`,
}))

/** Several operations in one document, named alike or not at all, with an operationName that may match none. */
export const manyOperations: fc.Arbitrary<GraphQLRequest> = fc
  .record({
    names: fc.array(fc.constantFrom('', 'A', 'B'), { minLength: 1, maxLength: 4 }),
    operationName: fc.constantFrom(undefined, 'A', 'B', 'Nope', ''),
  })
  .map(({ names, operationName }) => ({
    query: names.map((name) => (name === '' ? '{ __typename }' : `query ${name} { product(id: "1") { name } }`)).join('\n'),
    ...(operationName === undefined ? {} : { operationName }),
  }))

const TOKENS = ['{', '}', '(', ')', '[', ']', '...', 'on', 'query', 'mutation', 'subscription', 'fragment', '$', '@', ':', '!', '=', '"', '"""', '#', ',', '|', '&', 'product', 'id', 'name', 'true', 'null', '1', '1.5e', '\\u', '\u0000', '😀'] as const

/** Garbage: random text, and random runs of GraphQL's own tokens. */
export const garbageDocument: fc.Arbitrary<GraphQLRequest> = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(' ')),
  )
  .map((query) => ({ query }))

/**
 * JSON where a document is expected: mercurius takes a query that does not
 * parse as GraphQL but parses as JSON for a ready-made AST, so whole ASTs
 * (of generated documents) and broken ones are inputs too.
 */
export const jsonAstDocument: fc.Arbitrary<GraphQLRequest> = fc
  .oneof(
    choiceValues().map((values) => {
      try {
        return JSON.stringify(parse(schemaDocument(new Choices(values)).query, { noLocation: true }))
      } catch {
        return '{"kind":"Document","definitions":[]}'
      }
    }),
    fc.constantFrom(
      '{"kind":"Document"}',
      '{"kind":"Document","definitions":[{}]}',
      '{"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query"}]}',
      '{"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field"}]}}]}',
      '[]',
      '{}',
      '1',
      '"x"',
      'null',
    ),
  )
  .map((query) => ({ query }))

/** A request built from the real schema (see schema-documents.ts). */
export const schemaRequest: fc.Arbitrary<GraphQLRequest> = choiceValues().map((values) => schemaDocument(new Choices(values)))

/** Every document shape, weighted towards schema-valid requests (those reach execution). */
export const anyGraphQLRequest: fc.Arbitrary<GraphQLRequest> = fc.oneof(
  { arbitrary: schemaRequest, weight: 10 },
  { arbitrary: fragmentFanOut, weight: 2 },
  { arbitrary: fragmentChain, weight: 1 },
  { arbitrary: fragmentCycle, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: manyAliases, weight: 1 },
  { arbitrary: manyOperations, weight: 1 },
  { arbitrary: garbageDocument, weight: 2 },
  { arbitrary: jsonAstDocument, weight: 1 },
)
