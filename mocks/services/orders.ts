import type { FastifyInstance } from 'fastify'
import { advanceOrder, placeOrder, type OrderInput } from '../world/mutations.js'
import { encodeCursor, pageNewestFirst } from '../world/paging.js'
import type { Order } from '../world/types.js'
import { createAccessRules } from './access-rules.js'
import { badRequest, notFound, outcomeError } from './http-errors.js'
import { bodyObject, isId, isInt, onlyKeys, parseAfter, parseFirst, parseId, parseIdList, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** Lines and quantity per line a new order may have. */
const MAX_ITEMS = 50
const MAX_QUANTITY = 100

function parseOrderInput(raw: unknown): OrderInput {
  const body = bodyObject(raw)
  onlyKeys(body, ['userId', 'items'])
  if (!isId(body['userId'])) throw badRequest('userId must be a positive decimal id')
  const items = body['items']
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) throw badRequest(`items must be an array of 1..${MAX_ITEMS} lines`)
  return {
    userId: body['userId'],
    items: items.map((item: unknown, i) => {
      const line = bodyObject(item)
      onlyKeys(line, ['productId', 'quantity'])
      if (!isId(line['productId'])) throw badRequest(`items[${i}].productId must be a positive decimal id`)
      if (!isInt(line['quantity'], 1, MAX_QUANTITY)) throw badRequest(`items[${i}].quantity must be an integer in 1..${MAX_QUANTITY}`)
      return { productId: line['productId'], quantity: line['quantity'] }
    }),
  }
}

/** orders (4004): order history, placing and advancing orders; all of it per-user data (owner or `admin`). */
export function createOrdersService(options: ServiceOptions): FastifyInstance {
  const { world, eventLog } = options
  const access = createAccessRules(options.identity)

  return createServiceApp(
    {
      name: 'orders',
      routes(app) {
        app.get<{ Params: { userId: string }; Querystring: Query }>('/users/:userId/orders', async (request) => {
          const caller = await access.authenticate(request)
          const userId = parseId(request.params.userId, 'userId')
          access.requireOwner(caller, [userId])
          const first = parseFirst(request.query, 10)
          const before = parseAfter(request.query, 'orders')
          const list = world.ordersByUser.get(userId)
          if (list === undefined) throw notFound(`user ${userId} not found`)
          const page = pageNewestFirst(list, first, before)
          const cursors = page.items.map((item) => encodeCursor('orders', Number(item.id)))
          return { orders: page.items, cursors, hasNextPage: page.hasNextPage, endCursor: cursors.at(-1) ?? null }
        })

        app.get<{ Querystring: Query }>('/orders', async (request) => {
          const caller = await access.authenticate(request)
          const orders: Order[] = []
          for (const id of parseIdList(request.query)) {
            const order = world.orders.get(id)
            if (order !== undefined) orders.push(order)
          }
          // All or nothing: a batch holding one foreign order is refused whole, never filtered.
          access.requireOwner(caller, orders.map((order) => order.userId))
          return { orders }
        })

        app.get<{ Params: { id: string } }>('/orders/:id', async (request) => {
          const caller = await access.authenticate(request)
          const id = parseId(request.params.id, 'id')
          const order = world.orders.get(id)
          if (order === undefined) throw notFound(`order ${id} not found`)
          access.requireOwner(caller, [order.userId])
          return order
        })

        app.post('/orders', async (request, reply) => {
          const caller = await access.authenticate(request)
          const input = parseOrderInput(request.body)
          access.requireOwner(caller, [input.userId])
          const outcome = placeOrder(world, input)
          if (!outcome.ok) throw outcomeError(outcome.reason, outcome.message)
          const order = outcome.value
          await eventLog.append({ type: 'order.created', orderId: order.id, userId: order.userId, status: order.status }, { traceparent: request.headers.traceparent })
          return reply.code(201).send(order)
        })

        app.post<{ Params: { id: string } }>('/orders/:id/advance', async (request) => {
          const caller = await access.authenticate(request)
          const id = parseId(request.params.id, 'id')
          const existing = world.orders.get(id)
          if (existing !== undefined) access.requireOwner(caller, [existing.userId])
          const outcome = advanceOrder(world, id)
          if (!outcome.ok) throw outcomeError(outcome.reason, outcome.message)
          const order = outcome.value
          await eventLog.append({ type: 'order.status_changed', orderId: order.id, userId: order.userId, status: order.status }, { traceparent: request.headers.traceparent })
          return order
        })
      },
    },
    options,
  )
}
