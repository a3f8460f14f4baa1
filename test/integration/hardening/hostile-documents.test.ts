import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'
import { doublingFragments, fragmentChain, nestedFields } from './documents.js'

/**
 * Documents an attacker sends to stall the process or to make it answer 5xx,
 * each one a defect an outside probe found: every one must get a 4xx-class
 * GraphQL error with a stable code (or its data), quickly, and leave the
 * process serving.
 */

async function get(stack: Stack, params: Record<string, string>): Promise<{ status: number; body: { errors?: { extensions?: { code?: string } }[] } }> {
  const response = await request(`${stack.bffUrl}/graphql?${new URLSearchParams(params).toString()}`, {
    headers: { accept: 'application/graphql-response+json' },
  })
  return { status: response.statusCode, body: (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] } }
}

const codes = (body: { errors?: { extensions?: { code?: string } }[] }) => [...new Set(body.errors?.map((error) => error.extensions?.code))]

describe('hostile documents', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack.close()
  })

  it('answers fragments that each spread the next twice (40 levels) on the first run and compiled, and keeps serving', async () => {
    // Before, the selection walks and graphql-jit's compiler followed every spread: 2^40 steps, the process never answered.
    for (let run = 0; run < 3; run++) {
      const answer = await gql(stack, doublingFragments(40))
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ data: { product: { name: expect.any(String) } } })
    }
    expect((await request(`${stack.bffUrl}/health/live`)).statusCode).toBe(200)
  })

  it('refuses an operationName that names no operation with BAD_REQUEST, over GET and POST, the same every time', async () => {
    for (let run = 0; run < 2; run++) {
      const overGet = await get(stack, { query: '{ __typename }', operationName: 'Nope' })
      expect(overGet.status).toBe(400)
      expect(codes(overGet.body)).toEqual(['BAD_REQUEST'])
      const overPost = await gql(stack, '{ __typename }', undefined, {})
      expect(overPost.status).toBe(200)
      const named = await request(`${stack.bffUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: '{ __typename }', operationName: 'Nope' }),
      })
      expect(named.statusCode).toBe(400)
      expect(codes((await named.body.json()) as { errors?: { extensions?: { code?: string } }[] })).toEqual(['BAD_REQUEST'])
    }
  })

  it('answers a failing root field beside another failing field with the same errors before and after compiling', async () => {
    // Found by the fuzz suite: an anonymous home (no subject to default to) beside a malformed id. While
    // home was non-null, graphql-js stopped at its throw before order ran and the compiled query ran both;
    // root fields are nullable now, so each fails on its own and the rest is served.
    for (const query of ['{ home { __typename } order(id: "-1") { id } }', '{ products(ids: ["-1"]) { id } order(id: "-1") { id } }']) {
      const answers = []
      for (let run = 0; run < 3; run += 1) answers.push(codes((await gql(stack, query)).body).sort())
      expect(answers[0]).toContain('BAD_USER_INPUT')
      expect(answers[1]).toEqual(answers[0])
      expect(answers[2]).toEqual(answers[0])
    }
  })

  it('refuses several named operations without an operationName over GET with BAD_REQUEST, and two anonymous ones as invalid', async () => {
    const named = await get(stack, { query: 'query A { __typename } query B { __typename }' })
    expect(named.status).toBe(400)
    expect(codes(named.body)).toEqual(['BAD_REQUEST'])
    // Validation comes before choosing the operation, as the spec orders it.
    const anonymous = await get(stack, { query: '{ __typename } { __typename }' })
    expect(anonymous.status).toBe(400)
    expect(codes(anonymous.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
  })

  it('refuses a chain of 2,000 fragments: past the token limit by default, and as too deeply nested when tokens allow it', async () => {
    const byTokens = await gql(stack, fragmentChain(2_000))
    expect(byTokens.status).toBe(400)
    expect(codes(byTokens.body)).toEqual(['TOO_MANY_TOKENS'])
    const roomy = await startStack({ GRAPHQL_MAX_TOKENS: '1000000' })
    try {
      const byNesting = await gql(roomy, fragmentChain(2_000))
      expect(byNesting.status).toBe(400)
      expect(codes(byNesting.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
      expect(byNesting.body.errors?.[0]?.message).toMatch(/nests selections .* levels deep; at most 64 are accepted/)
      // A fragment cycle would send the recursive rules round forever: refused before them.
      const cycle = await gql(roomy, '{ product(id: "1") { ...A } } fragment A on Product { ...B } fragment B on Product { ...A }')
      expect(codes(cycle.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
      expect(cycle.body.errors?.[0]?.message).toContain('spreads itself')
    } finally {
      await roomy.close()
    }
  })

  it('refuses 5,000 nested fields with a validation error that says why (no raw stack overflow)', async () => {
    const answer = await gql(stack, nestedFields(5_000))
    expect(answer.status).toBe(400)
    expect(codes(answer.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    expect(answer.body.errors?.[0]?.message).toMatch(/nests .* levels deep; at most 64 are accepted/)
    expect(JSON.stringify(answer.body)).not.toContain('call stack')
  })

  it('just inside the nesting limit is validated normally; just outside is refused', async () => {
    // 64 braces deep: the outer one, then 63 levels of fields — parsed, then refused by the depth rule (12).
    const inside = await gql(stack, `{ ${'a { '.repeat(62)}b${' }'.repeat(62)} }`)
    expect(inside.body.errors?.[0]?.message).not.toMatch(/nests/)
    expect(codes(inside.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    const outside = await gql(stack, `{ ${'a { '.repeat(64)}b${' }'.repeat(64)} }`)
    expect(outside.body.errors?.[0]?.message).toMatch(/nests .* 65 levels deep/)
  })

  it('reports an unused variable as a validation error and a wrongly typed one as BAD_USER_INPUT', async () => {
    const unused = await gql(stack, 'query($x: String) { __typename }')
    expect(codes(unused.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    const wrongType = await gql(stack, 'query($id: ID!) { product(id: $id) { name } }', { id: { not: 'an id' } })
    expect(wrongType.status).toBe(400)
    expect(codes(wrongType.body)).toEqual(['BAD_USER_INPUT'])
    const missing = await gql(stack, 'query($id: ID!) { product(id: $id) { name } }', {})
    expect(codes(missing.body)).toEqual(['BAD_USER_INPUT'])
  })

  it('refuses an id of 20,000 characters at the edge with BAD_USER_INPUT, sending nothing downstream', async () => {
    const before = (await mockStats(stack.mocks.urls.catalog)).requests
    const answer = await gql(stack, `{ product(id: "${'9'.repeat(20_000)}") { name } }`)
    expect(answer.body.data).toEqual({ product: null })
    expect(codes(answer.body)).toEqual(['BAD_USER_INPUT'])
    // Just inside: a 64-character id goes to the service, whose own rule (decimal, 12 digits) refuses it.
    const inside = await gql(stack, `{ product(id: "${'9'.repeat(64)}") { name } }`)
    expect(inside.body.data).toEqual({ product: null })
    expect(codes(inside.body)).toEqual(['BAD_USER_INPUT'])
    const outside = await gql(stack, `{ product(id: "${'9'.repeat(65)}") { name } }`)
    expect(codes(outside.body)).toEqual(['BAD_USER_INPUT'])
    expect((await mockStats(stack.mocks.urls.catalog)).requests).toBe(before + 1)
  })

  it('refuses a malformed cursor with BAD_USER_INPUT', async () => {
    const answer = await gql(stack, '{ search(query: "a", first: 1, after: "not a cursor!") { totalCount } }')
    expect(codes(answer.body)).toEqual(['BAD_USER_INPUT'])
  })

  it('does not take JSON (or a JSON syntax tree) for a document, over POST and GET', async () => {
    // mercurius would try JSON.parse on a query that fails to parse and run what came out; the gate refuses it first.
    for (const query of ['1', 'null', '[]', '{}', JSON.stringify({ kind: 'Document', definitions: [{}] })]) {
      const overPost = await gql(stack, query)
      expect(overPost.status).toBe(400)
      expect(codes(overPost.body)).toEqual(['GRAPHQL_PARSE_FAILED'])
      const overGet = await get(stack, { query })
      expect(overGet.status).toBe(400)
      expect(codes(overGet.body)).toEqual(['GRAPHQL_PARSE_FAILED'])
    }
  })

  it('refuses a subscription whose root field is conditional over HTTP as invalid, not with a 500', async () => {
    // graphql-js' single-root-field rule throws on it instead of reporting.
    const query = 'subscription($v: Boolean!) { stockChanged(productIds: ["1"]) @include(if: $v) { eventId } }'
    const answer = await gql(stack, query, { v: true })
    expect(answer.status).toBe(400)
    expect(codes(answer.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    const plain = await gql(stack, 'subscription { stockChanged(productIds: ["1"]) { eventId } }')
    expect(plain.status).toBe(400)
    expect(codes(plain.body)).toEqual(['BAD_REQUEST'])
  })

  it('refuses a document holding such a subscription as invalid, not with a 500, when the operation run is a query', async () => {
    const runQ = async (subscription: string) => {
      const response = await request(`${stack.bffUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: `${subscription}\nquery Q { product(id: "1") { id } }`, variables: { v: true }, operationName: 'Q' }),
      })
      return { status: response.statusCode, body: (await response.body.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } }
    }
    const conditional = await runQ('subscription S($v: Boolean!) { stockChanged(productIds: ["1"]) @include(if: $v) { eventId } }')
    expect(conditional.status).toBe(400)
    expect(codes(conditional.body)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
    // Just inside: the same document with an unconditional root field is valid, and Q runs.
    const plain = await runQ('subscription S { stockChanged(productIds: ["1"]) { eventId } }')
    expect(plain.status).toBe(200)
    expect(plain.body).toEqual({ data: { product: { id: '1' } } })
  })

  it('applies the default of a non-null variable on every run, compiled or not', async () => {
    // graphql-jit's coercion dropped it once the query was compiled: the second run answered BAD_USER_INPUT.
    for (let run = 0; run < 3; run++) {
      const answer = await gql(stack, 'query($id: ID! = "1") { product(id: $id) { name } }')
      expect(answer.body).toEqual({ data: { product: { name: expect.any(String) } } })
    }
  })

  it('answers an empty operationName the same way every time', async () => {
    const answers = []
    for (let run = 0; run < 3; run++) {
      const response = await request(`${stack.bffUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: '{ __typename }', operationName: '' }),
      })
      answers.push({ status: response.statusCode, codes: codes((await response.body.json()) as { errors?: { extensions?: { code?: string } }[] }) })
    }
    expect(answers).toEqual(Array.from({ length: 3 }, () => ({ status: 400, codes: ['BAD_REQUEST'] })))
  })
})
