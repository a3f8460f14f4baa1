import type { FastifyRequest } from 'fastify'
import type { CallerIdentity, IdentityVerifier } from '../auth/identity-verifier.js'
import { forbidden } from './http-errors.js'

/** The scope that may act for any user. */
export const ADMIN_SCOPE = 'admin'

/** The caller, or null when the service runs without identity checks (every route open). */
export type Caller = CallerIdentity | null

/** The owner-or-admin rule of the per-user routes (mocks/API.md, "Identity checks"). */
export interface AccessRules {
  /** Verifies the bearer token, or throws 401; null when identity is not required. */
  authenticate(request: FastifyRequest): Promise<Caller>
  /** Throws 403 unless the caller owns every one of `ownerIds` or has scope `admin`. */
  requireOwner(caller: Caller, ownerIds: Iterable<string>): void
}

export function createAccessRules(verifier: IdentityVerifier | undefined): AccessRules {
  return {
    async authenticate(request) {
      if (verifier === undefined) return null
      return verifier(request.headers.authorization)
    },
    requireOwner(caller, ownerIds) {
      if (caller === null || caller.scopes.has(ADMIN_SCOPE)) return
      for (const owner of ownerIds) {
        if (owner !== caller.sub) throw forbidden(`the token's subject may not act for user ${owner}: needs the owner's token or scope ${ADMIN_SCOPE}`)
      }
    },
  }
}
