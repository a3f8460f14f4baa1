import { z } from 'zod'
import { BffError } from '../errors.js'
import { bool, int } from './env-fields.js'

/** Persisted queries: Apollo's automatic persisted queries and a list of trusted documents. */
export const persistedQueryVars = {
  /** Accept `extensions.persistedQuery` hashes of documents clients registered before (Apollo APQ). */
  PERSISTED_QUERIES_APQ_ENABLED: bool.default(true),
  /** How long a registered document is kept, in s (the store's TTL); a client whose hash expired re-sends the document once. */
  PERSISTED_QUERIES_TTL_S: int(1, 30 * 86_400).default(86_400),
  /** JSON map of id (hash) → document, as GraphQL Codegen's client preset or Relay write it. */
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  /** off: the file is not read; allow: listed ids resolve, anything else runs as usual; require: only listed documents run. */
  PERSISTED_OPERATIONS_MODE: z.enum(['off', 'allow', 'require']).default('off'),
}

export type PersistedOperationsMode = 'off' | 'allow' | 'require'

export interface PersistedQueriesConfig {
  readonly apqEnabled: boolean
  readonly ttlMs: number
  /** Null when the mode is off. */
  readonly operationsFile: string | null
  readonly operationsMode: PersistedOperationsMode
}

export function persistedQueriesConfig(e: z.output<z.ZodObject<typeof persistedQueryVars>>): PersistedQueriesConfig {
  const mode = e.PERSISTED_OPERATIONS_MODE
  const file = e.PERSISTED_OPERATIONS_FILE ?? null
  if (mode !== 'off' && file === null) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `Invalid configuration: PERSISTED_OPERATIONS_FILE is required when PERSISTED_OPERATIONS_MODE is ${mode}`)
  }
  return {
    apqEnabled: e.PERSISTED_QUERIES_APQ_ENABLED,
    ttlMs: e.PERSISTED_QUERIES_TTL_S * 1_000,
    operationsFile: mode === 'off' ? null : file,
    operationsMode: mode,
  }
}
