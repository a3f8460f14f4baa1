import fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import type { EventLog } from '../../src/events/event-log.js'
import { registerAdminRoutes, type AdminState } from '../admin/admin-routes.js'
import { createFaultInjector } from '../admin/fault-injector.js'
import { mergeFaults, NO_FAULTS, parseFaultSettings, type FaultSettings } from '../admin/fault-settings.js'
import { RequestStats } from '../admin/request-stats.js'
import type { IdentityVerifier } from '../auth/identity-verifier.js'
import type { World } from '../world/types.js'
import { MockHttpError } from './http-errors.js'

/** What the shared skeleton itself uses: faults, logging, randomness. */
export interface SkeletonOptions {
  /**
   * Start-up faults, laid over the service's own defaults (recommendations:
   * `latencyMs: 80`; the others none). `POST /__admin/reset` returns here.
   */
  readonly faults?: undefined | FaultSettings
  /** Enables the fastify (pino) logger. @default false */
  readonly logger?: undefined | boolean
  /** Source of randomness for fault draws, in [0, 1). @default Math.random */
  readonly random?: undefined | (() => number)
}

/** Options every data service's `createXService` factory takes. */
export interface ServiceOptions extends SkeletonOptions {
  /** The shared world the service reads and changes. */
  readonly world: World
  /** Where the service appends the domain events of its changes. */
  readonly eventLog: EventLog
  /**
   * Checks the caller's bearer token on per-user routes (orders, notifications).
   * Absent: every route is open, as before identity existed. @default undefined
   */
  readonly identity?: undefined | IdentityVerifier
}

export interface ServiceDefinition {
  readonly name: string
  /** Faults the service has before `options.faults` is applied. */
  readonly baseFaults?: undefined | FaultSettings
  /** Registers the service's routes on a scope that carries the fault hook. */
  readonly routes: (scope: FastifyInstance) => void
  /** Routes counted in the stats but never faulted (auth's `/token`, so tests can mint while keys are "down"). */
  readonly unfaultedRoutes?: undefined | ((scope: FastifyInstance) => void)
  /** Extra `/__admin/*` routes: neither counted nor faulted, like the shared ones. */
  readonly adminRoutes?: undefined | ((app: FastifyInstance) => void)
}

/**
 * The skeleton every mock service shares: API.md error bodies, `x-request-id`
 * echo, lenient JSON parsing, the admin routes and the fault hook. The routes
 * live in a child scope so the hook applies to them and not to `/__admin/*`.
 */
export function createServiceApp(definition: ServiceDefinition, options: SkeletonOptions): FastifyInstance {
  const startup = parseFaultSettings(options.faults ?? {})
  if (!startup.ok) throw new TypeError(`create ${definition.name} service: options.faults: ${startup.message}`)
  const base = parseFaultSettings(definition.baseFaults ?? {})
  if (!base.ok) throw new TypeError(`create ${definition.name} service: baseFaults: ${base.message}`)
  const defaults = mergeFaults(mergeFaults(NO_FAULTS, base.value), startup.value)
  const state: AdminState = { stats: new RequestStats(), defaults, faults: defaults }
  const injector = createFaultInjector({ stats: state.stats, faults: () => state.faults, random: options.random ?? Math.random })

  const app = fastify({
    logger: options.logger ?? false,
    // Close must not wait on clients: undici opens spare connections that never send a request,
    // and Node counts those as active (headersTimeout bookkeeping), so 'idle' closing waits ~4 s for them.
    forceCloseConnections: true,
  })

  // Clients may send `content-type: application/json` on bodyless POSTs (advance, like); fastify would 400 those.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(text))
    } catch {
      done(new MockHttpError(400, 'body is not valid JSON'), undefined)
    }
  })

  app.addHook('onRequest', (request, reply, done) => {
    const id = request.headers['x-request-id']
    if (typeof id === 'string') void reply.header('x-request-id', id)
    done()
  })

  app.setErrorHandler((error: FastifyError | MockHttpError, request, reply) => {
    if (error instanceof MockHttpError) return reply.code(error.statusCode).headers(error.headers).send({ error: error.error, message: error.message })
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) return reply.code(status).send({ error: 'bad_request', message: error.message })
    request.log.error({ err: error }, 'mock handler failed')
    return reply.code(500).send({ error: 'internal', message: error.message })
  })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  )

  registerAdminRoutes(app, state)
  definition.adminRoutes?.(app)
  void app.register(async (scope) => {
    scope.addHook('onRequest', injector.onRequest)
    definition.routes(scope)
  })
  const { unfaultedRoutes } = definition
  if (unfaultedRoutes !== undefined) {
    // Same stats, no faults: one counting hook whose fault settings never change.
    const counter = createFaultInjector({ stats: state.stats, faults: () => NO_FAULTS, random: Math.random })
    void app.register(async (scope) => {
      scope.addHook('onRequest', counter.onRequest)
      unfaultedRoutes(scope)
    })
  }
  app.addHook('preClose', (done) => {
    injector.releaseHeld()
    done()
  })
  return app
}
