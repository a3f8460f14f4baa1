import type { FastifyInstance } from 'fastify'
import { mergeFaults, parseFaultSettings, type ActiveFaults } from './fault-settings.js'
import type { RequestStats } from './request-stats.js'

/** The mutable admin state of one service, shared by its fault hook and admin routes. */
export interface AdminState {
  readonly stats: RequestStats
  /** The service's start-up faults; `POST /__admin/reset` returns to them. */
  readonly defaults: ActiveFaults
  faults: ActiveFaults
}

/**
 * `/__admin/*` routes (mocks/API.md, "Admin surface"). Registered outside the
 * scope that carries the fault hook, so they are never delayed, failed or counted.
 */
export function registerAdminRoutes(app: FastifyInstance, state: AdminState): void {
  app.get('/__admin/stats', async () => state.stats.snapshot())

  app.post('/__admin/faults', async (request, reply) => {
    const parsed = parseFaultSettings(request.body ?? {})
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', message: parsed.message })
    state.faults = mergeFaults(state.faults, parsed.value)
    return { faults: state.faults }
  })

  app.post('/__admin/reset', async () => {
    state.stats.reset()
    state.faults = state.defaults
    return { faults: state.faults }
  })

  app.get('/__admin/requests', async () => ({ requests: state.stats.recent() }))
}
