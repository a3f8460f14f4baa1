import fastifyCompress from '@fastify/compress'
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { BrowserConfig } from '../config/load-config.js'

export interface BrowserPluginOptions {
  readonly settings: BrowserConfig
}

/**
 * What browsers need from the BFF, registered before the routes so their
 * hooks reach every one:
 * - CORS for the origins listed (CORS_ORIGINS) and no other: a refused
 *   origin's preflight gets no Access-Control-Allow-Origin, so its browser
 *   never sends the request. Credentials (cookies) only when asked for.
 * - br and gzip bodies above the threshold (the GraphQL routes compress
 *   their own JSON: plugins/graphql-http.ts). Websocket frames are not HTTP
 *   replies and are never compressed (per-message deflate stays off: it costs
 *   a zlib context per socket and CPU per frame, for frames a few hundred bytes long).
 */
async function browser(app: FastifyInstance, options: BrowserPluginOptions): Promise<void> {
  const { settings } = options
  await app.register(fastifyCors, {
    origin: settings.corsOrigins.length === 0 ? false : [...settings.corsOrigins],
    credentials: settings.corsCredentials,
    methods: ['GET', 'POST'],
    allowedHeaders: ['accept', 'authorization', 'content-type', 'if-none-match', 'x-request-id'],
    // Readable by browser code: request ids for support, validators, and the rate limiter's pacing headers.
    exposedHeaders: ['x-request-id', 'etag', 'retry-after', 'ratelimit', 'ratelimit-policy'],
    // Browsers cap it (Chromium at 2 h); 10 min spares a preflight per request without pinning a changed list for long.
    maxAge: 600,
  })
  if (settings.compression) {
    await app.register(fastifyCompress, {
      encodings: ['br', 'gzip'],
      threshold: settings.compressionThresholdBytes,
      // Request bodies are small JSON documents: no client needs to compress them, and none is inflated here.
      globalDecompression: false,
    })
  }
}

export default fp(browser, { name: 'browser' })
