import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ServerResponse } from 'node:http'
import { hostname } from 'node:os'
import { assetUrl, DASHBOARD_ASSETS, DASHBOARD_CSP, DASHBOARD_PATH, DASHBOARD_STREAM_PATH, renderDashboardPage } from '../dashboard/page.js'
import { createDevTokenMinter } from '../graphiql/dev-token.js'
import { canSeeDashboard, DASHBOARD_SCOPE } from './dashboard-access.js'
import { createSnapshotSource } from './dashboard-snapshot.js'

export interface DashboardOptions {
  /** Shown on the page, so instances behind one load balancer can be told apart. @default hostname:pid */
  readonly instanceName?: undefined | string | null
  /** Identity is on: the stream needs a token with the `admin` scope, and the page asks for one. @default false */
  readonly identityRequired?: undefined | boolean
  /**
   * Development only: the provider's token endpoint (GRAPHIQL_DEV_TOKEN_URL), from which each page
   * load gets an `admin` token it sends without asking, as GraphiQL carries its user's. @default none
   */
  readonly devTokenUrl?: undefined | string | null
  /** Snapshot period in ms. @default 1_000 */
  readonly intervalMs?: undefined | number
}

/** Whose development token the dashboard carries; the `admin` scope is what lets it in. */
const DEV_ADMIN_USER = '1'

const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/**
 * GET /dashboard: this instance's upstream health, Hystrix-dashboard style,
 * updated once a second over server-sent events (GET /dashboard/stream). One
 * snapshot per period is taken and written to every open stream; nothing is
 * measured while no one watches.
 */
async function dashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const instance = options.instanceName ?? `${hostname()}:${process.pid}`
  const identityRequired = options.identityRequired ?? false
  const intervalMs = options.intervalMs ?? 1_000
  const devTokenUrl = options.devTokenUrl ?? null
  const mint = devTokenUrl === null ? null : createDevTokenMinter(devTokenUrl)
  const page = renderDashboardPage({ instance, stream: DASHBOARD_STREAM_PATH, token: null, requireToken: identityRequired })
  // A fresh development token per page load, so a page opened tomorrow still connects.
  const pageFor = async (log: FastifyBaseLogger): Promise<string> => {
    if (mint === null) return page
    try {
      return renderDashboardPage({ instance, stream: DASHBOARD_STREAM_PATH, token: (await mint(DEV_ADMIN_USER, DASHBOARD_SCOPE)).token, requireToken: false })
    } catch (err) {
      log.warn({ err }, 'the development token endpoint failed; the dashboard asks for a token')
      return page
    }
  }
  const streams = new Set<ServerResponse>()
  let source: ReturnType<typeof createSnapshotSource> | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  let last = ''

  const frame = (): string => {
    source ??= createSnapshotSource(app, instance)
    last = `data: ${JSON.stringify(source.take())}\n\n`
    return last
  }
  const stop = (): void => {
    if (timer !== null) clearInterval(timer)
    timer = null
    source?.stop()
    source = null
  }

  if (devTokenUrl !== null) app.log.warn({ devTokenUrl }, 'the dashboard hands out a development admin token (GRAPHIQL_DEV_TOKEN_URL): development only')
  app.get(DASHBOARD_PATH, async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(await pageFor(request.log)),
  )
  for (const asset of DASHBOARD_ASSETS) {
    app.get(assetUrl(asset).split('?')[0] as string, async (_request, reply) =>
      reply.type(asset.contentType).header('cache-control', ASSET_CACHE_CONTROL).header('x-content-type-options', 'nosniff').send(asset.body),
    )
  }

  app.get(DASHBOARD_STREAM_PATH, async (request, reply) => {
    if (!canSeeDashboard(request.viewer, identityRequired)) {
      const anonymous = request.viewer.subject === null
      return reply.code(anonymous ? 401 : 403).send({ error: anonymous ? 'a token with the admin scope is needed' : 'the admin scope is needed' })
    }
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
    raw.write(last === '' || timer === null ? frame() : last)
    streams.add(raw)
    raw.once('close', () => {
      streams.delete(raw)
      if (streams.size === 0) stop()
    })
    timer ??= setInterval(() => {
      const data = frame()
      for (const stream of streams) stream.write(data)
    }, intervalMs)
    return reply
  })

  // Streams never end on their own: end them before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end()
    streams.clear()
    stop()
  })
}

export default fp(dashboard, { name: 'dashboard', dependencies: ['telemetry', 'downstreams', 'cache', 'subscriptions', 'identity'] })
