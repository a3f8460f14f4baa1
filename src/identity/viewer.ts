/**
 * Who is asking: the subject and scopes of a verified bearer token, or nobody.
 * Every transport resolves one per request (HTTP) or per connection
 * (websocket) before anything runs; the graphql layer authorizes with it, the
 * edge keys limits by it, and the data layer relays it downstream.
 */
export interface Viewer {
  /** The token's `sub`; null when the caller sent no token (anonymous). */
  readonly subject: string | null
  /** The token's `scope`, split on spaces. */
  readonly scopes: ReadonlySet<string>
  /**
   * The verified bearer token as received, for relaying to downstream services.
   * Never logged. Null when anonymous.
   */
  readonly token: string | null
}

export const ANONYMOUS: Viewer = Object.freeze({ subject: null, scopes: new Set<string>(), token: null })

export function hasScope(viewer: Viewer, scope: string): boolean {
  return viewer.scopes.has(scope)
}
