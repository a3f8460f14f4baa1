import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { ClientError } from '../../../src/errors.js'
import { createPersistedDocuments, sha256Hex, type PersistedStore } from '../../../src/edge/persisted-documents.js'
import { createTrustedDocuments } from '../../../src/edge/trusted-documents.js'

const LISTED = '{ listed }'
const OTHER = '{ other }'
const trusted = createTrustedDocuments({ [sha256Hex(LISTED)]: LISTED }, 'test')
const hashOnly = (query: string) => ({ query: undefined, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } } })

function make(mode: 'off' | 'allow' | 'require', store: PersistedStore | null = createMemoryStore()) {
  const failures: string[] = []
  const documents = createPersistedDocuments({
    store,
    keyPrefix: 'p:',
    ttlMs: 60_000,
    trusted: mode === 'off' ? null : trusted,
    mode,
    onStoreError: (_error, operation) => failures.push(operation),
  })
  return { documents, failures }
}

describe('request.persistedOperation: what later checks (the cost limit) may trust', () => {
  it('is listed for a listed id or text, automatic for an APQ hash, null for an unknown document', async () => {
    const { documents } = make('allow')
    expect(await documents.resolve(hashOnly(LISTED))).toMatchObject({ query: LISTED, persisted: 'listed' })
    expect(await documents.resolve({ query: LISTED, extensions: undefined })).toMatchObject({ persisted: 'listed' })
    expect(await documents.resolve({ query: OTHER, extensions: undefined })).toMatchObject({ persisted: null, register: null })
    const registering = await documents.resolve({ query: OTHER, extensions: hashOnly(OTHER).extensions })
    expect(registering).toMatchObject({ persisted: 'automatic', register: sha256Hex(OTHER) })
    await documents.register(sha256Hex(OTHER), OTHER)
    expect(await documents.resolve(hashOnly(OTHER))).toMatchObject({ query: OTHER, persisted: 'automatic' })
  })

  it('is never listed when the list is off, even for a text the file holds', async () => {
    const { documents } = make('off')
    expect(await documents.resolve({ query: LISTED, extensions: undefined })).toMatchObject({ persisted: null })
  })

  it('an uppercase hash is the same hash', async () => {
    const { documents } = make('off')
    await documents.register(sha256Hex(OTHER), OTHER)
    const upper = { query: undefined, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(OTHER).toUpperCase() } } }
    expect(await documents.resolve(upper)).toMatchObject({ query: OTHER })
  })
})

describe('a store that fails', () => {
  const broken: PersistedStore = {
    getMany: async () => Promise.reject(new Error('down')),
    setMany: async () => Promise.reject(new Error('down')),
  }

  it('reads as a miss (the client sends the document again) and a failed write is reported, never thrown', async () => {
    const { documents, failures } = make('off', broken)
    const answer = await documents.resolve(hashOnly(OTHER))
    expect(answer).toBeInstanceOf(ClientError)
    expect((answer as ClientError).code).toBe('PERSISTED_QUERY_NOT_FOUND')
    await expect(documents.register(sha256Hex(OTHER), OTHER)).resolves.toBeUndefined()
    expect(failures).toEqual(['read', 'write'])
  })
})
