import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking (identity/viewer.ts), resolved in onRequest before any route runs. */
    viewer: Viewer
  }
}

/**
 * Resolves `request.viewer` for every request. Token verification plugs in
 * here; until it does, every caller is anonymous.
 */
async function identity(app: FastifyInstance): Promise<void> {
  app.decorateRequest('viewer', null as unknown as Viewer)
  app.addHook('onRequest', async (request) => {
    request.viewer = ANONYMOUS
  })
}

export default fp(identity, { name: 'identity' })
