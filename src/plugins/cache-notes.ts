import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Adds `extensions: { cache: { stale: true } }` to a response when a stale
 * cache entry stood in for a failed downstream call (serve-stale-on-error), so
 * clients can tell the data may be out of date. The resolvers know nothing of
 * it: the request's data sources record it, this hook reports it.
 */
async function cacheNotes(app: FastifyInstance): Promise<void> {
  app.graphql.addHook('onResolution', async (execution, context) => {
    if (context.data?.cacheNotes?.stale !== true) return
    execution.extensions = { ...execution.extensions, cache: { stale: true } }
  })
}

export default fp(cacheNotes, { name: 'cache-notes', dependencies: ['mercurius', 'cache'] })
