import { createHash } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import type { OperationCachePolicy } from './operation-cache-policy.js'

/**
 * What every /graphql answer says before it is known to be cacheable: POSTs,
 * mutations, errors and refusals are never stored by a browser or CDN.
 */
export const NOT_STORED = 'no-store'

/**
 * The Cache-Control of a successful GET query: `public` only when no
 * selected field is PRIVATE and the request carries no token (whatever a
 * field's hint says, an answer computed for a caller must not be shared).
 */
export function cacheControlFor(policy: OperationCachePolicy, carriesToken: boolean): string {
  if (policy.maxAgeS <= 0) return NOT_STORED
  return `${policy.private || carriesToken ? 'private' : 'public'}, max-age=${policy.maxAgeS}`
}

/**
 * A weak validator (RFC 9110 §8.8.1): the same JSON for the same media type,
 * whatever compression is applied on the way out, hence weak.
 */
export function weakEtag(mediaType: string, body: string): string {
  return `W/"${createHash('sha1').update(mediaType).update('\n').update(body).digest('base64url')}"`
}

/** RFC 9110 §13.1.2: If-None-Match compares weakly; `*` matches any current representation. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag
  return header.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque
  })
}

/** Adds `names` to the Vary header without dropping what others (CORS: Origin) put there. */
export function appendVary(reply: FastifyReply, ...names: readonly string[]): void {
  const current = reply.getHeader('vary')
  const present = typeof current === 'string' ? current.split(',').map((name) => name.trim()).filter((name) => name !== '') : []
  const lower = new Set(present.map((name) => name.toLowerCase()))
  const added = names.filter((name) => !lower.has(name.toLowerCase()))
  if (added.length > 0) reply.header('vary', [...present, ...added].join(', '))
}
