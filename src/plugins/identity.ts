import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthConfig } from '../config/auth.js'
import { clientMessage, statusOf } from '../errors.js'
import { APPLICATION_JSON, negotiate } from '../http/negotiation.js'
import { createIdentity, type Identity } from '../identity/identity.js'
import { TokenRejection } from '../identity/token-rejection.js'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking (identity/viewer.ts), resolved in onRequest before any route runs. */
    viewer: Viewer
  }
  interface FastifyInstance {
    /** Turns credentials into viewers; the websocket transport uses it for `connection_init`. */
    identity: Identity
  }
}

export interface IdentityPluginOptions {
  readonly auth: AuthConfig
}

/** RFC 6750 §3: the challenge of a request whose token was refused. */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'

function refuse(reply: FastifyReply): FastifyReply {
  const mediaType = negotiate(reply.request.headers.accept) ?? APPLICATION_JSON
  return reply
    .code(statusOf('UNAUTHENTICATED'))
    .header('www-authenticate', INVALID_TOKEN_CHALLENGE)
    .type(`${mediaType}; charset=utf-8`)
    .send({ errors: [{ message: clientMessage('UNAUTHENTICATED', 'The bearer token is invalid or expired.'), extensions: { code: 'UNAUTHENTICATED' } }] })
}

/**
 * Resolves `request.viewer` for every request from `Authorization: Bearer`
 * (only there: never a query string). No header: anonymous. A header that
 * does not verify: 401 before any route runs, whatever the route. A
 * websocket upgrade is left anonymous here: browsers cannot set headers on
 * websockets, so its token comes in `connection_init` (subscriptions/).
 */
async function identity(app: FastifyInstance, options: IdentityPluginOptions): Promise<void> {
  const resolver = createIdentity(options.auth)
  if (!resolver.enforced) {
    app.log.warn('AUTH_DISABLED=true: bearer tokens are not verified, every caller is anonymous and may act for any user')
  }
  app.decorate('identity', resolver)
  app.decorateRequest('viewer', null as unknown as Viewer)
  app.addHook('onRequest', async (request, reply) => {
    request.viewer = ANONYMOUS
    const header = request.headers.authorization
    if (header === undefined || !resolver.enforced || request.headers.upgrade !== undefined) return
    try {
      request.viewer = (await resolver.resolve(header)).viewer
    } catch (error) {
      if (!(error instanceof TokenRejection)) throw error
      // The reason only: the token itself is never logged.
      request.log.info({ reason: error.reason, claim: error.claim }, 'bearer token refused')
      return refuse(reply)
    }
  })
}

export default fp(identity, { name: 'identity' })
