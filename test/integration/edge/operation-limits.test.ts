import { getIntrospectionQuery } from 'graphql'
import { request } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { GRAPHIQL_EXAMPLES, HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { gql, mockStats, resetMocks, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'

/** Requests the mocks received since the last reset, over every service. */
async function downstreamRequests(stack: Stack): Promise<number> {
  const stats = await Promise.all(SERVICE_NAMES.map((name) => mockStats(stack.mocks.urls[name])))
  return stats.reduce((sum, one) => sum + one.requests, 0)
}

const codeOf = (answer: Awaited<ReturnType<typeof gql>>): string | undefined => answer.body.errors?.[0]?.extensions?.code

const aliased = (n: number): string => `{ product(id: "1") { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }`
const directed = (n: number): string => `{ product(id: "1") { ${Array.from({ length: n }, () => 'id @include(if: true)').join(' ')} } }`
/** `{ product(id: "1") { id … } }` with exactly `tokens` lexical tokens (10 around the ids). */
const tokens = (n: number): string => `{ product(id: "1") { ${'id '.repeat(n - 10)}} }`

describe('operation limits, each answered with its code before anything is sent downstream', () => {
  let stack: Stack
  beforeAll(async () => {
    // Token and cost limits lowered so "just under" is a cheap document; the defaults are exercised below.
    stack = await startStack({ GRAPHQL_MAX_TOKENS: '500', GRAPHQL_MAX_COST: '20' })
  })
  afterAll(() => stack.close())
  beforeEach(() => resetMocks(stack.mocks))

  it.each([
    ['aliases', aliased(30), aliased(31), 'TOO_MANY_ALIASES'],
    ['directives', directed(50), directed(51), 'TOO_MANY_DIRECTIVES'],
    ['tokens', tokens(500), tokens(501), 'TOO_MANY_TOKENS'],
    // The home query costs 20; a fourth recent order adds 2.
    ['cost', HOME_EXAMPLE.query, HOME_EXAMPLE.query.replace('recentOrders(first: 3)', 'recentOrders(first: 4)'), 'COST_LIMIT_EXCEEDED'],
  ])('%s: just under passes, just over is refused with its code and nothing downstream', async (_limit, under, over, code) => {
    const passed = await gql(stack, under)
    expect(passed.status).toBe(200)
    expect(passed.body.errors).toBeUndefined()
    await resetMocks(stack.mocks)
    const refused = await gql(stack, over)
    expect(refused.status).toBe(400)
    expect(codeOf(refused)).toBe(code)
    expect(await downstreamRequests(stack)).toBe(0)
  })

  it('reports the cost and the limit on a refusal, and validation errors before the cost', async () => {
    const refused = await gql(stack, '{ home(userId: "1") { recommendations(first: 1000000) { id } } }')
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 1_000_001, maxCost: 20 })
    const invalid = await gql(stack, '{ home(userId: "1") { recommendations(first: 1000000) { nope } } }')
    expect(codeOf(invalid)).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(await downstreamRequests(stack)).toBe(0)
  })
})

describe('hostile documents against the default limits', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.close())
  beforeEach(() => resetMocks(stack.mocks))

  it('lets every GraphiQL example and the introspection query through', async () => {
    for (const example of GRAPHIQL_EXAMPLES) {
      if (example.query.includes('subscription ')) continue
      const variables = example.variables === undefined ? undefined : (JSON.parse(example.variables) as Record<string, unknown>)
      const answer = await gql(stack, example.query, variables)
      expect(answer.status, example.query.slice(0, 60)).toBe(200)
    }
    const introspection = await gql(stack, getIntrospectionQuery())
    expect(introspection.status).toBe(200)
    expect(introspection.body.data?.['__schema']).toBeDefined()
  })

  it('refuses an alias bomb, a deep fragment chain, a 1 MB document of {a} and a first: 1000000 fan-out, with nothing downstream', async () => {
    const bomb = await gql(stack, `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: product(id: "1") { id }`).join(' ')} }`)
    expect(codeOf(bomb)).toBe('TOO_MANY_ALIASES')
    const chain = Array.from({ length: 20 }, (_, i) => `fragment F${i} on User { followers { ${i === 19 ? 'id' : `...F${i + 1}`} } }`).join(' ')
    const deep = await gql(stack, `{ user(id: "1") { ...F0 } } ${chain}`)
    expect(codeOf(deep)).toBe('GRAPHQL_VALIDATION_FAILED')
    const huge = await gql(stack, '{a}'.repeat(333_333))
    expect(codeOf(huge)).toBe('TOO_MANY_TOKENS')
    const fanOut = await gql(stack, '{ user(id: "1") { followers(first: 1000000) { id } } }')
    expect(codeOf(fanOut)).toBe('COST_LIMIT_EXCEEDED')
    for (const answer of [bomb, deep, huge, fanOut]) expect(answer.status).toBe(400)
    expect(await downstreamRequests(stack)).toBe(0)
  })
})

describe('production mode (NODE_ENV=production)', () => {
  let production: Stack
  let explicit: Stack
  beforeAll(async () => {
    production = await startStack({ NODE_ENV: 'production' })
    explicit = await startStack({ NODE_ENV: 'production', INTROSPECTION_ENABLED: 'true', GRAPHIQL_ENABLED: 'true' })
    // On a loaded machine a stack's first load-shedding sample can read an infinite event-loop delay and shed
    // its first requests (SERVER_OVERLOADED); what is tested here starts once both say they are ready.
    for (const stack of [production, explicit]) {
      await waitFor(
        async () => {
          const response = await request(`${stack.bffUrl}/health/ready`)
          await response.body.dump()
          return response.statusCode === 200
        },
        { timeoutMs: 10_000, message: 'ready' },
      )
    }
  })
  afterAll(async () => {
    await production.close()
    await explicit.close()
  })

  it('turns introspection and GraphiQL off, and drops "Did you mean" from validation errors', async () => {
    const introspection = await gql(production, getIntrospectionQuery())
    expect(codeOf(introspection)).toBe('GRAPHQL_VALIDATION_FAILED')
    const typo = await gql(production, '{ user(id: "1") { nme } }')
    expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "nme" on type "User".')
    const enumTypo = await gql(production, 'query($k: NotificationKind) { __typename }', { k: 'ORDERS' })
    expect(enumTypo.body.errors?.[0]?.message).not.toMatch(/Did you mean/)
    expect((await request(`${production.bffUrl}/graphiql`)).statusCode).toBe(404)
  })

  it('keeps both when enabled explicitly, suggestions included', async () => {
    const introspection = await gql(explicit, getIntrospectionQuery())
    expect(introspection.body.data?.['__schema']).toBeDefined()
    const typo = await gql(explicit, '{ user(id: "1") { nme } }')
    expect(typo.body.errors?.[0]?.message).toMatch(/Did you mean "name"\?/)
    expect((await request(`${explicit.bffUrl}/graphiql`)).statusCode).toBe(200)
  })
})
