import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { checkDocumentShape, lexicalNesting } from '../../../src/graphql/document-guard.js'

const shape = (query: string, maxNesting = 64) => checkDocumentShape(parse(query), { maxNesting }).map((error) => error.message)

describe('document shape guard', () => {
  it('measures nesting through fragment spreads, each fragment once', () => {
    // a { F } where F nests 2 more: 1 (operation) + 1 (a) + 2 = 4.
    const query = '{ a { ...F } } fragment F on T { b { c } }'
    expect(shape(query, 4)).toEqual([])
    expect(shape(query, 3)).toEqual(['The document nests selections (counting fragment spreads) 4 levels deep; at most 3 are accepted.'])
  })

  it('takes the deepest path of a fragment graph whose fragments are shared', () => {
    // Diamond: A spreads B and C (one level further in), both spread D, which nests 3 deep. Each spread is a
    // level (it is one for every rule that recurses through it): 1 + (2 + (1 + 3)) = 7 on the longest path.
    const query = '{ ...A } fragment A on T { ...B x { ...C } } fragment B on T { ...D } fragment C on T { ...D } fragment D on T { p { q { r } } }'
    expect(shape(query, 7)).toEqual([])
    expect(shape(query, 6)).toHaveLength(1)
  })

  it('walks 5,000 fragments spreading the next twice in linear time, finding the chain too deep', () => {
    let query = '{ ...F0 }'
    for (let i = 0; i < 5_000; i++) query += ` fragment F${i} on T { ...F${i + 1} ...F${i + 1} }`
    query += ' fragment F5000 on T { x }'
    expect(shape(query)[0]).toMatch(/nests selections .* levels deep; at most 64 are accepted/)
  })

  it('reports a fragment cycle with its path, before any rule would follow it round', () => {
    expect(shape('{ ...A } fragment A on T { ...B } fragment B on T { x { ...C } } fragment C on T { ...A }')).toEqual([
      'Fragment "A" spreads itself (A → B → C → A).',
    ])
  })

  it('leaves unknown fragments to validation', () => {
    expect(shape('{ ...Missing }')).toEqual([])
  })

  it('bounds the nesting of list and object values', () => {
    // The value itself is a level: [[1]] is 3 deep.
    expect(shape(`{ a(x: ${'['.repeat(2)}1${']'.repeat(2)}) }`, 3)).toEqual([])
    expect(shape(`{ a(x: ${'['.repeat(3)}1${']'.repeat(3)}) }`, 3)).toEqual([
      'The document nests list and object values 4 levels deep; at most 3 are accepted.',
    ])
  })
})

describe('lexical nesting', () => {
  it('counts braces, brackets and parentheses, not those in strings or comments', () => {
    expect(lexicalNesting('{ a(s: "{{{{{{") # {{{{{{\n }', 2)).toBeNull()
    expect(lexicalNesting('{ a { b } }', 2)).toBeNull()
    expect(lexicalNesting('{ a { b { c } } }', 2)?.message).toBe(
      'The document nests braces, brackets and parentheses 3 levels deep; at most 2 are accepted.',
    )
  })

  it('stops at the first level too deep, whatever follows', () => {
    expect(lexicalNesting(`${'{'.repeat(1_000_000)}`, 64)?.message).toMatch(/65 levels deep/)
  })

  it('leaves syntax errors to the parser', () => {
    expect(lexicalNesting('{ "unterminated', 64)).toBeNull()
  })
})
