import { buildSchema, getIntrospectionQuery, getOperationAST, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { operationCost } from '../../../src/edge/cost.js'
import { GRAPHIQL_EXAMPLES, HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'

const schema = buildSchema(loadSchemaSdl())

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query)
  const operation = getOperationAST(document)
  if (operation === null || operation === undefined) throw new Error('one operation expected')
  return operationCost(schema, document, operation, variables)
}

describe('operationCost', () => {
  it('prices the home query at 20: each object once per item, page sizes multiplying their subtree', () => {
    // home 1 + user 1 + recentOrders 3 × (order 1 + total 1) + recommendations 4 × (product 1 + price 1)
    // + notifications 1 × (feed 1 + latest 3 × 1) = 1 + 1 + 6 + 8 + 4
    expect(cost(HOME_EXAMPLE.query)).toBe(20)
  })

  it('reads page sizes from variables, list lengths from ids, and the schema default when none is given', () => {
    // A connection is one object around a page: 1 + 7 × (edge + node).
    expect(cost('query($n: Int) { search(query: "x", first: $n) { edges { node { id } } } }', { n: 7 })).toBe(1 + 7 * 2)
    expect(cost('{ search(query: "x") { edges { node { id } } } }')).toBe(1 + 20 * 2)
    expect(cost('{ search(query: "x", first: 5000) { totalCount } }')).toBe(1)
    expect(cost('query($ids: [ID!]!) { products(ids: $ids) { id } }', { ids: ['1', '2', '3'] })).toBe(3)
    expect(cost('{ products(ids: ["1", "2"]) { id price { amount } } }')).toBe(2 * 2)
  })

  it('charges nothing for scalars, skipped fields and fields the schema does not know, and at least 1', () => {
    expect(cost('{ __typename }')).toBe(1)
    expect(cost('query($no: Boolean!) { product(id: "1") { id } products(ids: ["1", "2"]) @include(if: $no) { id } }', { no: false })).toBe(1)
    expect(cost('{ product(id: "1") @skip(if: true) { id } nope { id } }')).toBe(1)
  })

  it('prices the GraphiQL examples and the introspection query well under the default limit of 1,000', () => {
    for (const example of GRAPHIQL_EXAMPLES) {
      const variables = example.variables === undefined ? {} : (JSON.parse(example.variables) as Record<string, unknown>)
      expect(cost(example.query, variables)).toBeLessThan(100)
    }
    expect(cost(getIntrospectionQuery())).toBe(1)
  })

  it('prices a fan-out by its page sizes: first: 1000000 and nested pages multiply', () => {
    expect(cost('{ home(userId: "1") { recommendations(first: 1000000) { id } } }')).toBe(1 + 1_000_000)
    expect(cost('{ user(id: "1") { followers(first: 50) { followers(first: 50) { followers(first: 50) { id } } } } }')).toBe(1 + 50 + 50 * 50 + 50 * 50 * 50)
  })

  it('prices fragments once each: a document doubling through 60 fragments is priced in linear time and saturates', () => {
    const n = 60
    const fragments = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on User { followers(first: 2) { id } }` : `fragment F${i} on User { followers(first: 2) { ...F${i + 1} } a: followers(first: 2) { ...F${i + 1} } }`,
    )
    const query = `{ user(id: "1") { ...F0 } } ${fragments.join(' ')}`
    // Following every spread would walk 2^60 selections: this returning at all is the linearity.
    expect(cost(query)).toBe(Number.MAX_SAFE_INTEGER)
    // The same through an inline fragment on the spread's type, and a fragment spread twice costs twice.
    expect(cost('{ user(id: "1") { ...U ...U } } fragment U on User { followers(first: 3) { id } }')).toBe(1 + 2 * 3)
    expect(cost('{ user(id: "1") { ... on User { followers(first: 3) { id } } } }')).toBe(1 + 3)
  })
})
