/** What an `Authorization` header (or a websocket's `authorization` field) holds. */
export type BearerCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  /** Something was sent, but not `Bearer <token>`: refused like an invalid token, never read as anonymous. */
  | { readonly kind: 'malformed' }

const NONE: BearerCredential = Object.freeze({ kind: 'none' })
const MALFORMED: BearerCredential = Object.freeze({ kind: 'malformed' })

/** RFC 6750 §2.1: the scheme (any case), one space, a b64token. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i
/** Far above any real access token; a longer one is refused before it is hashed or parsed. */
const MAX_TOKEN_LENGTH = 8_192

/**
 * Reads a bearer credential. Absent or empty means anonymous; anything else
 * that is not a well-formed bearer token is refused rather than ignored, so a
 * client that believes it is signed in never silently acts as nobody.
 * Query strings are never consulted: URLs end up in logs and referrers.
 */
export function bearerCredential(value: unknown): BearerCredential {
  if (value === undefined || value === null || value === '') return NONE
  if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH + 7) return MALFORMED
  const token = BEARER.exec(value)?.[1]
  return token === undefined ? MALFORMED : { kind: 'token', token }
}
