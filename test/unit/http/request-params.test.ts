import { describe, expect, it } from 'vitest'
import { ClientError } from '../../../src/errors.js'
import { negotiate } from '../../../src/http/negotiation.js'
import { readParams } from '../../../src/http/request-params.js'

const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (error) {
    return error instanceof ClientError ? error.code : 'not a ClientError'
  }
  return undefined
}

describe('readParams', () => {
  it('accepts the spec shapes, null meaning absent', () => {
    expect(readParams({ query: '{ a }', variables: null, operationName: null, extensions: null }, 'POST')).toEqual({
      query: '{ a }',
      variables: undefined,
      operationName: undefined,
      extensions: undefined,
    })
    expect(readParams({ query: '{ a }', variables: '{"x":1}' }, 'GET').variables).toEqual({ x: 1 })
  })

  it.each([
    ['a non-object body', [1, 2]],
    ['a missing query', {}],
    ['a non-string query', { query: 42 }],
    ['variables as a list', { query: '{a}', variables: [1] }],
    ['operationName as a number', { query: '{a}', operationName: 3 }],
    ['extensions as a string on POST', { query: '{a}', extensions: 'x' }],
  ])('rejects %s as BAD_REQUEST', (_label, body) => {
    expect(code(() => readParams(body, 'POST'))).toBe('BAD_REQUEST')
  })

  it('rejects undecodable GET variables', () => {
    expect(code(() => readParams({ query: '{a}', variables: '{nope' }, 'GET'))).toBe('BAD_REQUEST')
  })
})

describe('negotiate', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json'],
    ['text/html', null],
  ])('Accept %s → %s', (accept, expected) => {
    expect(negotiate(accept)).toBe(expected)
  })
})
