import type { FastifyInstance } from 'fastify'
import { notFound } from './http-errors.js'
import { parseFirst, parseId, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** recommendations (4007): product ids per user. Slow by default, as API.md promises. */
export function createRecommendationsService(options: ServiceOptions): FastifyInstance {
  const { world } = options

  return createServiceApp(
    {
      name: 'recommendations',
      baseFaults: { latencyMs: 80 },
      routes(app) {
        app.get<{ Params: { userId: string }; Querystring: Query }>('/users/:userId/recommendations', async (request) => {
          const userId = parseId(request.params.userId, 'userId')
          const first = parseFirst(request.query, 10)
          const productIds = world.recommendations.get(userId)
          if (productIds === undefined) throw notFound(`user ${userId} not found`)
          return { productIds: productIds.slice(0, first) }
        })
      },
    },
    options,
  )
}
