import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createInventoryService } from '../../../mocks/services/inventory.js'
import { createUsersService } from '../../../mocks/services/users.js'
import { createWorld } from '../../../mocks/world/create-world.js'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { waitFor } from '../../helpers/wait-for.js'

describe('service factories', () => {
  const world = createWorld()
  const apps: FastifyInstance[] = []
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()))
  })

  it('build an app that works through inject, without listening', async () => {
    const eventLog = createMemoryEventLog()
    const app = createUsersService({ world, eventLog })
    apps.push(app)
    const answer = await app.inject({ url: '/users/2', headers: { 'x-request-id': 'inj-1' } })
    expect(answer.statusCode).toBe(200)
    expect(answer.headers['x-request-id']).toBe('inj-1')
    expect(answer.json()).toMatchObject({ id: '2', name: 'Pablo Costa' })
    await waitFor(async () => (await app.inject('/__admin/stats')).json<{ inFlight: number }>().inFlight === 0, { timeoutMs: 2_000 })
  })

  it('draw faults from the injected random source', async () => {
    const app = createInventoryService({ world, eventLog: createMemoryEventLog(), faults: { errorRate: 0.5, errorStatus: 502 }, random: () => 0.4 })
    apps.push(app)
    const answer = await app.inject('/inventory?ids=1')
    expect(answer.statusCode).toBe(502)
    expect(answer.json()).toEqual({ error: 'injected_fault' })
  })

  it('reject invalid start-up faults, naming the service and field', () => {
    expect(() => createUsersService({ world, eventLog: createMemoryEventLog(), faults: { hangRate: 3 } })).toThrow(/users service: options.faults: hangRate/)
  })
})
