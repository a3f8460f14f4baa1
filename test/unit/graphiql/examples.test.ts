import { buildSchema, Kind, parse, validate, type OperationDefinitionNode } from 'graphql'
import { describe, expect, it } from 'vitest'
import { GRAPHIQL_EXAMPLES, HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'

const schema = buildSchema(loadSchemaSdl())

function operationOf(query: string): OperationDefinitionNode {
  const [definition] = parse(query).definitions
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error('expected an operation')
  return definition
}

describe('GraphiQL examples', () => {
  it.each(GRAPHIQL_EXAMPLES.map((example) => [operationOf(example.query).name?.value, example] as const))(
    '%s is valid against schema/ and its variables are a JSON object',
    (_name, example) => {
      expect(validate(schema, parse(example.query))).toEqual([])
      if (example.variables !== undefined) {
        const variables: unknown = JSON.parse(example.variables)
        expect(variables).toBeTypeOf('object')
        expect(Array.isArray(variables)).toBe(false)
      }
    },
  )

  it('opens on the home query for user "1", ready to run', () => {
    expect(GRAPHIQL_EXAMPLES[0]).toBe(HOME_EXAMPLE)
    expect(operationOf(HOME_EXAMPLE.query).selectionSet.selections).toMatchObject([{ name: { value: 'home' } }])
    expect(HOME_EXAMPLE.query).toContain('home(userId: "1")')
    // GraphiQL 4 does not load the first tab's variables from defaultTabs.
    expect(HOME_EXAMPLE.variables).toBeUndefined()
  })

  it('names every operation uniquely (GraphiQL titles its tabs with them)', () => {
    const names = GRAPHIQL_EXAMPLES.map((example) => operationOf(example.query).name?.value)
    expect(names.every((name) => typeof name === 'string')).toBe(true)
    expect(new Set(names).size).toBe(names.length)
  })

  it('offers the operations the issue asks for, the subscription included', () => {
    const rootFields = GRAPHIQL_EXAMPLES.map((example) => {
      const operation = operationOf(example.query)
      const [field] = operation.selectionSet.selections
      return `${operation.operation} ${field?.kind === Kind.FIELD ? field.name.value : '?'}`
    })
    expect(rootFields).toEqual([
      'query home',
      'query user',
      'query product',
      'query search',
      'mutation placeOrder',
      'mutation likeReview',
      'mutation markNotificationsRead',
      'subscription orderStatusChanged',
    ])
  })
})
