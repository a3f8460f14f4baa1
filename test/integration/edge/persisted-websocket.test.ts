import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Client, SubscribePayload } from 'graphql-ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/edge/persisted-documents.js'
import { startStack, type Stack } from '../../helpers/stack.js'
import { createWsClient } from '../../helpers/ws-client.js'

const LISTED = 'query Listed { product(id: "1") { id } }'
const UNLISTED = '{ product(id: "2") { id } }'
const dir = mkdtempSync(join(tmpdir(), 'bff-trusted-ws-'))
const file = join(dir, 'persisted-documents.json')
writeFileSync(file, JSON.stringify({ [sha256Hex(LISTED)]: LISTED }))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs one operation over the socket: its results, or the errors graphql-ws sent instead. */
function runOnce(client: Client, payload: SubscribePayload): Promise<{ data?: unknown; errors?: readonly { message: string; extensions?: { code?: string } }[] }> {
  return new Promise((resolve, reject) => {
    let last: { data?: unknown } | undefined
    client.subscribe(payload, {
      next: (value) => {
        last = value as { data?: unknown }
      },
      error: (error) => (Array.isArray(error) ? resolve({ errors: error as { message: string }[] }) : reject(error instanceof Error ? error : new Error(String(error)))),
      complete: () => resolve(last ?? {}),
    })
  })
}

const hashOf = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } })
const clients: Client[] = []
const connect = (stack: Stack): Client => {
  const client = createWsClient(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
  clients.push(client)
  return client
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()))
})

describe('over the websocket, PERSISTED_OPERATIONS_MODE=require', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ PERSISTED_OPERATIONS_MODE: 'require', PERSISTED_OPERATIONS_FILE: file })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('an unlisted document is refused with PERSISTED_QUERY_NOT_LISTED: the socket is no way around the list', async () => {
    const client = connect(stack)
    const refused = await runOnce(client, { query: UNLISTED })
    expect(refused.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_LISTED')
    const refusedByHash = await runOnce(client, { query: '', extensions: hashOf(UNLISTED) })
    expect(refusedByHash.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_LISTED')
  })

  it('a listed document runs, in full or by id', async () => {
    const client = connect(stack)
    expect(await runOnce(client, { query: LISTED })).toEqual({ data: { product: { id: '1' } } })
    expect(await runOnce(client, { query: '', extensions: hashOf(LISTED) })).toEqual({ data: { product: { id: '1' } } })
  })
})

describe('over the websocket, automatic persisted queries', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('not found, registered, then the hash alone runs', async () => {
    const client = connect(stack)
    const query = '{ product(id: "7") { id } }'
    expect((await runOnce(client, { query: '', extensions: hashOf(query) })).errors?.[0]).toEqual({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    })
    expect(await runOnce(client, { query, extensions: hashOf(query) })).toEqual({ data: { product: { id: '7' } } })
    expect(await runOnce(client, { query: '', extensions: hashOf(query) })).toEqual({ data: { product: { id: '7' } } })
    const lying = await runOnce(client, { query: '{ product(id: "8") { id } }', extensions: hashOf(query) })
    expect(lying.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST')
  })
})
