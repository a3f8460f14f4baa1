import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'
import { buildApp } from '../../../src/app.js'
import { sha256Hex } from '../../../src/edge/persisted-documents.js'
import { startStack, type Stack } from '../../helpers/stack.js'
import { codeOf, get, post, type EdgeAnswer } from './edge-http.js'

const LISTED = 'query ListedProduct { product(id: "1") { id name } }'
const UNLISTED = '{ product(id: "2") { id } }'
/** A Relay-style id (not a SHA-256): ids are names, never checked against the text. */
const RELAY_ID = '5f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e'
const RELAY_DOC = 'query RelayProduct { product(id: "3") { id } }'

const dir = mkdtempSync(join(tmpdir(), 'bff-trusted-'))
const file = join(dir, 'persisted-documents.json')
writeFileSync(file, JSON.stringify({ [sha256Hex(LISTED)]: LISTED, [RELAY_ID]: RELAY_DOC }))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const byId = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } })
type Send = (stack: Stack, params: Record<string, unknown>) => Promise<EdgeAnswer>
const TRANSPORTS: readonly (readonly [string, Send])[] = [
  ['POST', (stack, params) => post(stack, params)],
  ['GET', (stack, params) => get(stack, params)],
]

describe.each(['off', 'allow', 'require'] as const)('PERSISTED_OPERATIONS_MODE=%s', (mode) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ PERSISTED_OPERATIONS_MODE: mode, PERSISTED_OPERATIONS_FILE: file })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it.each(TRANSPORTS)('over %s: a listed id runs the listed document unless the list is off', async (_method, send) => {
    const codegen = await send(stack, byId(sha256Hex(LISTED)))
    const relay = await send(stack, byId(RELAY_ID))
    if (mode === 'off') {
      expect(codeOf(codegen)).toBe('PERSISTED_QUERY_NOT_FOUND')
      expect(relay.status).toBe(400)
      return
    }
    expect(codegen.json).toEqual({ data: { product: { id: '1', name: expect.any(String) } } })
    expect(relay.json).toEqual({ data: { product: { id: '3' } } })
  })

  it.each(TRANSPORTS)('over %s: a listed document sent in full runs', async (_method, send) => {
    expect((await send(stack, { query: LISTED })).json?.data).toEqual({ product: { id: '1', name: expect.any(String) } })
  })

  it.each(TRANSPORTS)('over %s: an unlisted document runs, except in require (403 PERSISTED_QUERY_NOT_LISTED)', async (_method, send) => {
    const full = await send(stack, { query: UNLISTED })
    const hashed = await send(stack, byId(sha256Hex(UNLISTED)))
    if (mode === 'require') {
      for (const answer of [full, hashed]) {
        expect(answer.status).toBe(403)
        expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_LISTED')
        expect(answer.json?.data).toBeUndefined()
      }
      return
    }
    expect(full.json).toEqual({ data: { product: { id: '2' } } })
    // Not listed, not registered: APQ asks for the document.
    expect(codeOf(hashed)).toBe('PERSISTED_QUERY_NOT_FOUND')
  })
})

describe('a trusted-documents file that cannot be used stops the boot', () => {
  it.each([
    ['not JSON', '{ nope'],
    ['a list', '["{ a }"]'],
    ['a document that is not a string', '{"abc": 1}'],
  ])('%s', async (_label, contents) => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, contents)
    const config = loadConfig({ AUTH_DISABLED: 'true', PERSISTED_OPERATIONS_MODE: 'require', PERSISTED_OPERATIONS_FILE: bad, LOG_LEVEL: 'silent' })
    await expect(buildApp(config, { logger: false })).rejects.toMatchObject({ code: 'BFF_ERR_CONFIG_INVALID' })
  })

  it('a mode other than off without a file is a config error', () => {
    expect(() => loadConfig({ AUTH_DISABLED: 'true', PERSISTED_OPERATIONS_MODE: 'allow' })).toThrow(/PERSISTED_OPERATIONS_FILE is required/)
  })
})
