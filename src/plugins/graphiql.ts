import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { BffError } from '../errors.js'
import { GRAPHIQL_ASSETS_PATH, loadGraphiQLAssets, type GraphiQLAsset } from '../graphiql/assets.js'
import { createDevTokenMinter } from '../graphiql/dev-token.js'
import { GRAPHIQL_EXAMPLES } from '../graphiql/examples.js'
import { renderGraphiQLPage } from '../graphiql/page.js'

export interface GraphiQLOptions {
  /**
   * Where GraphiQL sends queries and mutations (HTTP POST): a path on this
   * server such as `/graphql`, or an absolute http(s) URL.
   */
  readonly endpoint: string
  /**
   * Where GraphiQL opens its graphql-transport-ws websocket for subscriptions:
   * a path, resolved against the page's own host with http→ws and https→wss
   * (so it works behind whatever address the browser used), or an absolute
   * ws(s) URL. Absent: subscriptions fail in GraphiQL with a message saying
   * none is configured; queries and mutations still work.
   * @default undefined
   */
  readonly subscriptionEndpoint?: undefined | string
  /**
   * Development only: a token endpoint (the auth mock's `POST /token`) the
   * page gets a labelled development token from, for user 1 at first and
   * any user it is switched to, sent in its headers and websocket
   * `connectionParams`. Absent or null: the page carries no token.
   * @default null
   */
  readonly devTokenUrl?: undefined | string | null
}

/** Where the page asks for a development token (`?user=<id>`). */
export const DEV_TOKEN_PATH = '/graphiql/dev-token'
/** The user the page starts as: the one the examples are about. */
const DEV_TOKEN_FIRST_USER = '1'
const USER_ID = /^[A-Za-z0-9_.:-]{1,64}$/

/** Where the page is served. */
export const GRAPHIQL_PATH = '/graphiql'

/**
 * The page's CSP. Everything comes from this origin; the exceptions, each
 * needed by GraphiQL:
 * - style-src 'unsafe-inline': GraphiQL's dialogs (Radix UI, through
 *   react-remove-scroll) inject <style> elements at runtime;
 * - connect-src ws: wss:: the subscription websocket (CSP2 browsers do not
 *   match ws: against 'self');
 * - img-src/font-src data:: graphiql.min.css inlines its icons and fonts.
 * base-uri and frame-ancestors do not fall back to default-src, so they are
 * locked down explicitly (no <base> injection, no clickjacking by framing).
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

// Asset URLs carry a content hash (?v=), so a changed file is a new URL and
// the old one can be cached for a year without revalidation.
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable'

function validateEndpoint(name: string, value: unknown, schemes: readonly string[]): void {
  const ok =
    typeof value === 'string' &&
    (/^\/(?!\/)/.test(value) || schemes.some((scheme) => value.toLowerCase().startsWith(`${scheme}://`)))
  if (!ok) {
    throw new BffError(
      'BFF_ERR_OPTION_INVALID',
      `graphiql option "${name}" must be a path starting with "/" or a ${schemes.join('/')} URL, got ${JSON.stringify(value)}`,
    )
  }
}

/**
 * GraphiQL at /graphiql, served entirely from this process: the vendor
 * bundles come from node_modules, so the page works on a closed network and
 * under a strict CSP (mercurius' built-in page loads React and GraphiQL from a
 * CDN). It opens on tabs holding the example operations in src/graphiql/examples.ts.
 */
async function graphiqlPlugin(app: FastifyInstance, options: GraphiQLOptions): Promise<void> {
  validateEndpoint('endpoint', options.endpoint, ['http', 'https'])
  if (options.subscriptionEndpoint !== undefined) {
    validateEndpoint('subscriptionEndpoint', options.subscriptionEndpoint, ['ws', 'wss'])
  }
  // Read once at start (about 1.6 MB, held in memory): a missing file fails boot, not a browser.
  const assets = loadGraphiQLAssets()
  app.log.debug({ assets: assets.map((asset) => asset.source) }, 'graphiql assets loaded')
  // Rendered once: the page depends only on options and asset hashes.
  const page = renderGraphiQLPage(assets, {
    endpoint: options.endpoint,
    subscriptionEndpoint: options.subscriptionEndpoint ?? null,
    tabs: GRAPHIQL_EXAMPLES,
    devToken: options.devTokenUrl == null ? null : { path: DEV_TOKEN_PATH, user: DEV_TOKEN_FIRST_USER },
  })

  if (options.devTokenUrl != null) {
    app.log.warn({ devTokenUrl: options.devTokenUrl }, 'GraphiQL hands out development tokens (GRAPHIQL_DEV_TOKEN_URL): development only')
    const mint = createDevTokenMinter(options.devTokenUrl)
    app.get(DEV_TOKEN_PATH, async (request, reply) => {
      const user = (request.query as Record<string, unknown> | null)?.['user']
      if (typeof user !== 'string' || !USER_ID.test(user)) return reply.code(400).send({ error: 'user must be a user id' })
      try {
        return reply.header('cache-control', 'no-store').send(await mint(user))
      } catch (err) {
        request.log.warn({ err }, 'the development token endpoint failed')
        return reply.code(502).send({ error: 'the development identity provider did not answer' })
      }
    })
  }

  app.get(GRAPHIQL_PATH, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', GRAPHIQL_CSP)
      // The page names the current asset hashes; it must not outlive a deploy.
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(page),
  )

  for (const asset of assets) {
    app.get(`${GRAPHIQL_ASSETS_PATH}/${asset.name}`, (request, reply) => sendAsset(request, reply, asset))
  }
}

async function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: GraphiQLAsset): Promise<FastifyReply> {
  const etag = `"${asset.hash}"`
  reply.header('cache-control', ASSET_CACHE_CONTROL).header('etag', etag).header('x-content-type-options', 'nosniff')
  if (request.headers['if-none-match'] === etag) return reply.code(304).send()
  return reply.type(asset.contentType).send(asset.body)
}

export default fp(graphiqlPlugin, { name: 'graphiql' })
