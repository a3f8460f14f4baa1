import type { IncomingMessage } from 'node:http'
import type { TraceSpan } from './trace-span.js'
import type { Tracing } from './tracing.js'

/**
 * The server span of each GraphQL request over HTTP, started when the
 * request arrives (before its first log line, so every line can carry the
 * trace ids), found again by the raw request, renamed once the operation is
 * known, ended with the response.
 */
export interface RequestSpans {
  /** Starts the span of `raw` if it is a GraphQL request; null for other routes and websocket upgrades. */
  start(raw: IncomingMessage): TraceSpan | null
  of(raw: IncomingMessage): TraceSpan | undefined
  end(raw: IncomingMessage, statusCode: number): void
}

const GRAPHQL_PATH = /^\/graphql(?:\?|$)/

export function createRequestSpans(tracing: Tracing): RequestSpans {
  // Keyed by the raw request, so a request that never ends (socket destroyed) leaves nothing behind.
  const spans = new WeakMap<IncomingMessage, TraceSpan>()
  return {
    start(raw) {
      if (!tracing.enabled || raw.headers.upgrade !== undefined || !GRAPHQL_PATH.test(raw.url ?? '')) return null
      const header = raw.headers.traceparent
      const span = tracing.server(`${raw.method ?? 'GET'} /graphql`, typeof header === 'string' ? header : undefined, {
        'http.request.method': raw.method ?? 'GET',
        'http.route': '/graphql',
      })
      spans.set(raw, span)
      return span
    },
    of: (raw) => spans.get(raw),
    end(raw, statusCode) {
      const span = spans.get(raw)
      if (span === undefined) return
      spans.delete(raw)
      span.setAttributes({ 'http.response.status_code': statusCode })
      span.end(statusCode >= 500 ? String(statusCode) : undefined)
    },
  }
}
