import { BffError } from '../errors.js'

/**
 * A list of trusted documents (safelist): the operations a first-party
 * client was built with, by id. Codegen's client preset writes
 * `persisted-documents.json` and Relay `persisted_queries.json` in this one
 * shape, `{ "<id>": "<document>" }`; Codegen's ids are SHA-256 hashes,
 * Relay's MD5 ones, so an id is only a name here, never checked against its text.
 */
export interface TrustedDocuments {
  /** How many documents are listed. */
  readonly size: number
  /** The document listed under `id`, or null. */
  byId(id: string): string | null
  /** Whether exactly this text is listed (a client that sends the document in full). */
  lists(document: string): boolean
}

/** Ids are names clients send in URLs and logs: short, plain. */
const ID = /^[\w:.-]{1,128}$/

/**
 * Reads a parsed list file. Throws BFF_ERR_CONFIG_INVALID naming `source`
 * and the first bad entry: a list that loads half-way would refuse the
 * operations it lost, at runtime, one client at a time.
 */
export function createTrustedDocuments(parsed: unknown, source: string): TrustedDocuments {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `${source}: expected a JSON object of id → document`)
  }
  const documents = new Map<string, string>()
  const texts = new Set<string>()
  for (const [id, document] of Object.entries(parsed)) {
    if (!ID.test(id)) throw new BffError('BFF_ERR_CONFIG_INVALID', `${source}: id ${JSON.stringify(id.slice(0, 80))} is not 1–128 of [A-Za-z0-9_:.-]`)
    if (typeof document !== 'string' || document.trim() === '') {
      throw new BffError('BFF_ERR_CONFIG_INVALID', `${source}: the document of ${id} is not a non-empty string`)
    }
    documents.set(id, document)
    texts.add(document)
  }
  return {
    size: documents.size,
    byId: (id) => documents.get(id) ?? null,
    lists: (document) => texts.has(document),
  }
}
