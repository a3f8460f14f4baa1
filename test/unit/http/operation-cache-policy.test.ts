import { buildSchema, parse, type OperationDefinitionNode } from 'graphql'
import { describe, expect, it } from 'vitest'
import { readCacheHints } from '../../../src/cache/ttl-policy.js'
import { createOperationCachePolicies } from '../../../src/http/operation-cache-policy.js'

const SDL = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Query { item: Item, wrapped: Wrapper @cacheControl(maxAge: 50), plain: Plain, secret: Int @cacheControl(maxAge: 99, scope: PRIVATE), count: Int }
  type Item @cacheControl(maxAge: 100) { name: String, fresh: Int @cacheControl(maxAge: 7), child: Item, plain: Plain, wrapper: Wrapper }
  type Wrapper @cacheControl(inheritMaxAge: true) { item: Item, value: Int }
  type Plain { value: Int }
`
const schema = buildSchema(SDL)
const policyOf = createOperationCachePolicies(readCacheHints(SDL), 0)
const measure = (query: string) => {
  const document = parse(query)
  return policyOf(schema, document, document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode)
}

describe('operation cache policy (Apollo cache-control rules, over the selected fields)', () => {
  it.each([
    ['an object type hint', '{ item { name } }', 100, false],
    ['a scalar field\'s own hint', '{ item { name fresh } }', 7, false],
    ['an unhinted object type: the default, 0', '{ item { plain { value } } }', 0, false],
    ['an unhinted root scalar: the default, 0', '{ count }', 0, false],
    ['root __typename alone: the default, 0', '{ __typename }', 0, false],
    ['a PRIVATE root scalar', '{ secret }', 99, true],
    ['a wrapper type marked inheritMaxAge takes its parent field\'s maxAge', '{ item { wrapper { value } } }', 100, false],
    ['a root field\'s own maxAge on an inheriting type', '{ wrapped { value item { name } } }', 50, false],
    ['inline fragments count', '{ item { ... on Item { fresh } } }', 7, false],
  ])('%s', (_label, query, maxAgeS, isPrivate) => {
    expect(measure(query)).toEqual({ maxAgeS, private: isPrivate })
  })

  it('fragments count wherever they are spread', () => {
    expect(measure('{ item { ...F } } fragment F on Item { child { fresh } }')).toEqual({ maxAgeS: 7, private: false })
  })

  it('measures each fragment once: 40 fragments each spreading the one before twice (2^40 paths) take milliseconds', () => {
    const fragments = Array.from({ length: 40 }, (_, i) => (i === 0 ? 'fragment F0 on Item { fresh }' : `fragment F${i} on Item { child { ...F${i - 1} } child2: child { ...F${i - 1} } }`))
    const started = performance.now()
    expect(measure(`{ item { ...F39 } } ${fragments.join(' ')}`)).toEqual({ maxAgeS: 7, private: false })
    expect(performance.now() - started).toBeLessThan(200)
  })
})
