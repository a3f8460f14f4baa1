export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json'
export const APPLICATION_JSON = 'application/json'

/**
 * Picks the response media type from Accept: the spec's own type when asked
 * for, application/json for it, for wildcards and when Accept is missing;
 * null when the client accepts neither (406).
 */
export function negotiate(accept: string | undefined): typeof GRAPHQL_RESPONSE_JSON | typeof APPLICATION_JSON | null {
  if (accept === undefined || accept.trim() === '') return APPLICATION_JSON
  const types = accept.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase())
  for (const type of types) {
    if (type === GRAPHQL_RESPONSE_JSON) return GRAPHQL_RESPONSE_JSON
    if (type === APPLICATION_JSON || type === '*/*' || type === 'application/*') return APPLICATION_JSON
  }
  return null
}

/** True when a POST body is declared as JSON (parameters such as charset aside). */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase()
  return type === APPLICATION_JSON
}
