import { createHash } from 'node:crypto'
import { ClientError } from '../errors.js'
import type { TrustedDocuments } from './trusted-documents.js'

/**
 * How a request's document was vouched for, for the checks that come after:
 * `listed` documents are on the trusted list (the operation limits let them
 * past the cost limit, never past the rate limit); `automatic` ones came by
 * APQ hash, or registered one; null: a document sent in full, unknown.
 */
export type PersistedOperation = 'listed' | 'automatic' | null

/**
 * Where registered documents live: the entity cache's store fits (Redis when
 * configured, so every instance knows a hash any of them learnt; the
 * in-process LRU otherwise). Reads and writes may reject (Redis down): a
 * failed read is a miss, and the client sends the document again.
 */
export interface PersistedStore {
  getMany(addresses: readonly { readonly key: string }[]): Promise<readonly (string | null)[]>
  setMany(writes: readonly { readonly address: { readonly key: string }; readonly value: string; readonly ttlMs: number }[]): Promise<void>
}

export interface PersistedDocumentsOptions {
  /** null: APQ off (hashes that are not listed answer PERSISTED_QUERY_NOT_SUPPORTED). */
  readonly store: PersistedStore | null
  /** Prefix of every key written, e.g. `bff:` (the cache's CACHE_KEY_PREFIX). */
  readonly keyPrefix: string
  /** How long a registered document is kept, in ms. */
  readonly ttlMs: number
  /** The trusted list, or null when PERSISTED_OPERATIONS_MODE is off. */
  readonly trusted: TrustedDocuments | null
  /** require: only listed documents run (PERSISTED_QUERY_NOT_LISTED). */
  readonly mode: 'off' | 'allow' | 'require'
  /** Where failed store calls are reported. */
  readonly onStoreError: (error: unknown, operation: 'read' | 'write') => void
}

/** What the request parameters say (http/request-params.ts). */
export interface PersistedRequest {
  /** The document, when the client sent it. */
  readonly query: string | undefined
  readonly extensions: Readonly<Record<string, unknown>> | undefined
}

export interface ResolvedDocument {
  readonly query: string
  readonly persisted: PersistedOperation
  /**
   * A hash the client registers with this request (document and hash sent
   * together, hash verified). Store it with `register` once the document is
   * known to parse, so nothing unparseable takes room in the store.
   */
  readonly register: string | null
}

export interface PersistedDocuments {
  /** PERSISTED_OPERATIONS_MODE=require: every document, hashed or not, must go through `resolve`. */
  readonly screensEveryDocument: boolean
  /**
   * The document a request runs, or a ClientError: PERSISTED_QUERY_NOT_FOUND
   * (unknown hash: the client sends the document again), _NOT_SUPPORTED, _NOT_LISTED,
   * BAD_REQUEST (a hash that is not the document's, a malformed extension).
   */
  resolve(request: PersistedRequest): Promise<ResolvedDocument | ClientError>
  /** Stores `query` under `hash` (verified by `resolve`). Never rejects: a failed write only costs the client a resend later. */
  register(hash: string, query: string): Promise<void>
}

const SHA256_HEX = /^[0-9a-f]{64}$/

const badRequest = (message: string): ClientError => new ClientError('BAD_REQUEST', message)

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

/** `extensions.persistedQuery` checked: `{ version: 1, sha256Hash }`, else the reason. */
function hashOf(extension: unknown): string | ClientError {
  if (typeof extension !== 'object' || extension === null || Array.isArray(extension)) {
    return badRequest('"extensions.persistedQuery" must be an object with version and sha256Hash')
  }
  const { version, sha256Hash } = extension as Record<string, unknown>
  if (version !== 1) return badRequest('Unsupported persisted query version; only version 1 is.')
  if (typeof sha256Hash !== 'string' || sha256Hash === '') return badRequest('"extensions.persistedQuery.sha256Hash" must be a string')
  return sha256Hash
}

/**
 * Automatic persisted queries (Apollo's protocol) and trusted documents
 * behind one door, ahead of the admission gate: the transport hands it the
 * request parameters and gets back the text to admit.
 *
 * A hash is looked up on the trusted list first, then in the store. A hash
 * sent with its document is checked against the document's SHA-256 before
 * anything is stored: otherwise one client could file its own text under
 * another's hash, and every client asking for that hash would run it.
 *
 * Not mercurius' `persistedQueryProvider`: it lives in mercurius' own routes
 * (lib/routes.js), which we turn off (`routes: false`) so the transport owns
 * request errors and statuses; its automatic provider keeps hashes in a
 * per-process LRU, so another instance would not know them; and it stores a
 * document after running it whatever the outcome. Here the lookup sits ahead
 * of our admission gate, over HTTP and websockets alike, and the store is
 * the cache's, shared through Redis.
 */
export function createPersistedDocuments(options: PersistedDocumentsOptions): PersistedDocuments {
  const { store, trusted, mode, ttlMs, onStoreError } = options
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new TypeError(`createPersistedDocuments: ttlMs must be a positive integer, got ${String(ttlMs)}`)
  const keyOf = (hash: string): string => `${options.keyPrefix}apq:${hash}`
  const notListed = (): ClientError => new ClientError('PERSISTED_QUERY_NOT_LISTED')

  /** A document sent in full, without a hash. */
  function plain(query: string): ResolvedDocument | ClientError {
    const listed = trusted?.lists(query) ?? false
    if (mode === 'require' && !listed) return notListed()
    return { query, persisted: listed ? 'listed' : null, register: null }
  }

  async function lookup(hash: string): Promise<string | null> {
    if (store === null) return null
    try {
      return (await store.getMany([{ key: keyOf(hash) }]))[0] ?? null
    } catch (error) {
      onStoreError(error, 'read')
      return null
    }
  }

  return {
    screensEveryDocument: mode === 'require',

    async resolve({ query, extensions }) {
      const extension = extensions?.['persistedQuery']
      if (extension === undefined || extension === null) {
        return query === undefined ? badRequest('"query" is required') : plain(query)
      }
      const hash = hashOf(extension)
      if (hash instanceof ClientError) return hash
      const listed = trusted?.byId(hash) ?? null
      if (listed !== null) {
        if (query !== undefined && query !== listed) return badRequest('provided sha does not match query')
        return { query: listed, persisted: 'listed', register: null }
      }
      // A listed text sent with an id the list does not know (a client built against an older list).
      if (mode === 'require') return query !== undefined && trusted?.lists(query) === true ? plain(query) : notListed()
      if (store === null) return new ClientError('PERSISTED_QUERY_NOT_SUPPORTED')
      const normalized = hash.toLowerCase()
      if (!SHA256_HEX.test(normalized)) return badRequest('"extensions.persistedQuery.sha256Hash" must be 64 hexadecimal digits')
      if (query !== undefined) {
        if (sha256Hex(query) !== normalized) return badRequest('provided sha does not match query')
        return { query, persisted: trusted?.lists(query) === true ? 'listed' : 'automatic', register: normalized }
      }
      const stored = await lookup(normalized)
      if (stored === null) return new ClientError('PERSISTED_QUERY_NOT_FOUND')
      return { query: stored, persisted: trusted?.lists(stored) === true ? 'listed' : 'automatic', register: null }
    },

    async register(hash, query) {
      if (store === null) return
      try {
        await store.setMany([{ address: { key: keyOf(hash) }, value: query, ttlMs }])
      } catch (error) {
        onStoreError(error, 'write')
      }
    },
  }
}
