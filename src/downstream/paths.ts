// Request paths of the downstream services: the only place their URLs are built.

/** Builds `path?a=1&b=2` (values percent-encoded), skipping undefined values. */
export function withQuery(path: string, params: Readonly<Record<string, string | number | undefined>>): string {
  let query = ''
  for (const key in params) {
    const value = params[key]
    if (value === undefined) continue
    query += `${query.length === 0 ? '?' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`
  }
  return path + query
}

/** Path segment for an id; ids come from GraphQL clients, so they are escaped. */
export const seg = (value: string): string => encodeURIComponent(value)
