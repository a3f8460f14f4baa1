import { buildSchema, graphql, type GraphQLSchema } from 'graphql'
import { compileQuery, isCompiledQuery } from 'graphql-jit'
import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { applyAuthorization } from '../../../src/graphql/authorization.js'
import { ANONYMOUS, type Viewer } from '../../../src/identity/viewer.js'

const SDL = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  directive @ownedBy(argument: String, parentField: String, field: String) on FIELD_DEFINITION | OBJECT
  type Query {
    open: String
    signedIn: String @authenticated
    reports: String @requiresScopes(scopes: [["reports:read", "reports:export"], ["admin"]])
    account(ownerId: ID!): Account @ownedBy(argument: "ownerId")
    receipts: [Receipt!]
  }
  type Account { ownerId: ID!, balance: Int @ownedBy(parentField: "ownerId") }
  type Receipt @ownedBy(field: "ownerId") { id: ID!, ownerId: ID! }
`

function schema(): GraphQLSchema {
  const built = buildSchema(SDL)
  const fields = built.getQueryType()?.getFields() ?? {}
  for (const name of ['open', 'signedIn', 'reports']) if (fields[name]) fields[name].resolve = () => name
  if (fields['account']) fields['account'].resolve = (_root, args: { ownerId: string }) => ({ ownerId: args.ownerId, balance: 10 })
  if (fields['receipts']) fields['receipts'].resolve = async () => [{ id: 'r1', ownerId: '1' }, { id: 'r2', ownerId: '2' }]
  applyAuthorization(built)
  return built
}

const viewer = (subject: string, ...scopes: string[]): Viewer => ({ subject, scopes: new Set(scopes), token: 't' })
const codesOf = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined) => (errors ?? []).map((e) => e.extensions?.['code'] ?? (e as { originalError?: { code?: string } }).originalError?.code)

async function run(query: string, who: Viewer, jit: boolean) {
  const s = schema()
  if (!jit) return graphql({ schema: s, source: query, contextValue: { viewer: who } })
  const compiled = compileQuery(s, parse(query))
  if (!isCompiledQuery(compiled)) throw new Error('not compiled')
  return compiled.query(undefined, { viewer: who }, {})
}

describe.each([false, true])('authorization directives (graphql-jit: %s)', (jit) => {
  it('@authenticated: anonymous gets null + UNAUTHENTICATED, the rest served', async () => {
    const anonymous = await run('{ open signedIn }', ANONYMOUS, jit)
    expect(anonymous.data).toEqual({ open: 'open', signedIn: null })
    expect(codesOf(anonymous.errors as never)).toEqual(['UNAUTHENTICATED'])
    expect((await run('{ signedIn }', viewer('1'), jit)).data).toEqual({ signedIn: 'signedIn' })
  })

  it('@requiresScopes: every scope of one inner list', async () => {
    const partial = await run('{ reports }', viewer('1', 'reports:read'), jit)
    expect(codesOf(partial.errors as never)).toEqual(['FORBIDDEN'])
    expect((await run('{ reports }', viewer('1', 'reports:read', 'reports:export'), jit)).data).toEqual({ reports: 'reports' })
    expect((await run('{ reports }', viewer('1', 'admin'), jit)).data).toEqual({ reports: 'reports' })
    expect(codesOf((await run('{ reports }', ANONYMOUS, jit)).errors as never)).toEqual(['UNAUTHENTICATED'])
  })

  it('@ownedBy by argument, by parent field and on a type (each value checked after it is fetched)', async () => {
    expect(codesOf((await run('{ account(ownerId: "2") { balance } }', viewer('1'), jit)).errors as never)).toEqual(['FORBIDDEN'])
    expect((await run('{ account(ownerId: "1") { balance } }', viewer('1'), jit)).data).toEqual({ account: { balance: 10 } })
    const receipts = await run('{ receipts { id } }', viewer('1'), jit)
    expect(receipts.data).toEqual({ receipts: null })
    expect(codesOf(receipts.errors as never)).toEqual(['FORBIDDEN'])
    expect((await run('{ receipts { id } }', viewer('9', 'admin'), jit)).data).toEqual({ receipts: [{ id: 'r1' }, { id: 'r2' }] })
  })
})
