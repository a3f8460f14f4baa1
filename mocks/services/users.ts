import type { FastifyInstance } from 'fastify'
import type { User } from '../world/types.js'
import { notFound } from './http-errors.js'
import { parseFirst, parseId, parseIdList, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** users (4001): profiles and followers. */
export function createUsersService(options: ServiceOptions): FastifyInstance {
  const { world } = options

  function userOr404(id: string): User {
    const user = world.users.get(id)
    if (user === undefined) throw notFound(`user ${id} not found`)
    return user
  }

  return createServiceApp(
    {
      name: 'users',
      routes(app) {
        app.get<{ Querystring: Query }>('/users', async (request) => {
          const users: User[] = []
          for (const id of parseIdList(request.query)) {
            const user = world.users.get(id)
            if (user !== undefined) users.push(user)
          }
          return { users }
        })

        app.get<{ Params: { id: string } }>('/users/:id', async (request) => userOr404(parseId(request.params.id, 'id')))

        app.get<{ Params: { id: string }; Querystring: Query }>('/users/:id/followers', async (request) => {
          const user = userOr404(parseId(request.params.id, 'id'))
          const first = parseFirst(request.query, 10)
          const followers = world.followers.get(user.id) ?? []
          return { userIds: followers.slice(0, first), total: followers.length }
        })
      },
    },
    options,
  )
}
