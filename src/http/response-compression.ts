import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { appendVary } from './http-caching.js'

export type ContentCoding = 'br' | 'gzip'

/** Server preference on equal q: br is as fast as gzip at quality 4 and a little smaller. */
const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip']

/**
 * The coding to answer with, from Accept-Encoding (RFC 9110 §12.5.3): the
 * highest q among br and gzip, `*` standing for either when not named,
 * q=0 refusing; null for identity.
 */
export function negotiateEncoding(header: string | undefined): ContentCoding | null {
  if (header === undefined || header === '') return null
  const weights = new Map<string, number>()
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim())
    const q = params.find((param) => param.toLowerCase().startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    if (name !== '' && Number.isFinite(weight)) weights.set(name.toLowerCase(), weight)
  }
  let best: ContentCoding | null = null
  let bestWeight = 0
  for (const coding of PREFERENCE) {
    const weight = weights.get(coding) ?? weights.get('*') ?? 0
    if (weight > bestWeight) {
      best = coding
      bestWeight = weight
    }
  }
  return best
}

// Quality 4, as @fastify/compress: about gzip's speed, a smaller result; text mode for JSON.
const BROTLI = { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 4 } }

/**
 * An onSend hook for the GraphQL routes: compresses the serialized JSON in
 * one synchronous zlib call. @fastify/compress (which serves every other
 * route) pipes each body through a zlib stream; for a 2 KB answer the stream's
 * setup and thread-pool hops cost about eight times the compression itself
 * (docs/benchmarks.md, "Edge: persisted queries, caching, compression"),
 * while a synchronous call on so small a body holds the event loop for tens of µs.
 */
export function createCompressionHook(thresholdBytes: number): (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown> {
  return async (request, reply, payload) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
    // A body too small to gain from it is not a reason to vary.
    if (Buffer.byteLength(payload) < thresholdBytes || reply.hasHeader('content-encoding')) return payload
    appendVary(reply, 'Accept-Encoding')
    const coding = negotiateEncoding(request.headers['accept-encoding'])
    if (coding === null) return payload
    reply.header('content-encoding', coding)
    reply.removeHeader('content-length')
    return coding === 'br' ? brotliCompressSync(payload, BROTLI) : gzipSync(payload)
  }
}
