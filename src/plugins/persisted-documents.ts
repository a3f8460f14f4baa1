import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createMemoryStore } from '../cache/memory-store.js'
import type { Config } from '../config/load-config.js'
import { createPersistedDocuments, type PersistedDocuments, type PersistedOperation } from '../edge/persisted-documents.js'
import { createTrustedDocuments, type TrustedDocuments } from '../edge/trusted-documents.js'
import { BffError } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves APQ hashes and trusted-document ids to documents (edge/persisted-documents.ts). */
    persistedDocuments: PersistedDocuments
  }
  interface FastifyRequest {
    /**
     * How this request's document was vouched for, set before it is admitted:
     * `listed` (on the trusted list: skips the cost limit, not the rate
     * limit), `automatic` (by APQ hash) or null.
     */
    persistedOperation: PersistedOperation
  }
}

export interface PersistedDocumentsPluginOptions {
  readonly config: Config
}

function readTrustedDocuments(file: string): TrustedDocuments {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown
  } catch (cause) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `PERSISTED_OPERATIONS_FILE ${file} could not be read as JSON`, { cause })
  }
  return createTrustedDocuments(parsed, `PERSISTED_OPERATIONS_FILE ${file}`)
}

/**
 * Persisted queries: the trusted list read once at boot (a bad file stops
 * the boot), APQ documents kept in the cache's store under its prefix. With
 * the cache disabled, a small in-process LRU of its own keeps APQ working
 * per instance.
 */
async function persistedDocuments(app: FastifyInstance, options: PersistedDocumentsPluginOptions): Promise<void> {
  const settings = options.config.persistedQueries
  const log = app.log.child({ component: 'persisted-queries' })
  const trusted = settings.operationsFile === null ? null : readTrustedDocuments(settings.operationsFile)
  if (trusted !== null) log.info({ documents: trusted.size, mode: settings.operationsMode }, 'trusted documents loaded')
  const own = settings.apqEnabled && app.cacheStore === null ? createMemoryStore({ maxEntries: 10_000 }) : null
  app.decorate(
    'persistedDocuments',
    createPersistedDocuments({
      store: settings.apqEnabled ? (app.cacheStore ?? own) : null,
      keyPrefix: options.config.cache.keyPrefix,
      ttlMs: settings.ttlMs,
      trusted,
      mode: settings.operationsMode,
      // The guarded store reports Redis outages itself (breaker transitions); one line per request here would flood the log.
      onStoreError: (err, operation) =>
        err instanceof BffError && err.code === 'BFF_ERR_CACHE_UNAVAILABLE'
          ? log.debug({ err, operation }, 'persisted query store unavailable')
          : log.warn({ err, operation }, 'persisted query store failed'),
    }),
  )
  app.decorateRequest('persistedOperation', null)
  if (own !== null) app.addHook('onClose', async () => own.close())
}

export default fp(persistedDocuments, { name: 'persisted-documents', dependencies: ['cache'] })
