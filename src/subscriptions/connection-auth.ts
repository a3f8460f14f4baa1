import type { Identity } from '../identity/identity.js'
import { TokenRejection } from '../identity/token-rejection.js'
import type { AuthorizeConnection } from './ws-handler.js'

/**
 * The websocket's token check: the `connection_init` payload's
 * `authorization` field (`{"authorization": "Bearer …"}`, what GraphiQL and
 * graphql-ws `connectionParams` send; browsers cannot set headers on a
 * websocket). None: anonymous. Invalid: close 4403 with the reason, logged
 * without the token.
 */
export function authorizeByToken(identity: Identity): AuthorizeConnection {
  return async ({ payload, request }) => {
    try {
      return await identity.resolve(payload?.['authorization'])
    } catch (error) {
      if (!(error instanceof TokenRejection)) throw error
      request.log.info({ reason: error.reason, claim: error.claim }, 'websocket bearer token refused')
      return { refused: `Invalid token (${error.reason})` }
    }
  }
}
