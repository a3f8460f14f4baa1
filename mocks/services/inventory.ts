import type { FastifyInstance } from 'fastify'
import { updateInventory } from '../world/mutations.js'
import type { Inventory } from '../world/types.js'
import { badRequest, notFound } from './http-errors.js'
import { bodyObject, isInt, onlyKeys, parseId, parseIdList, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** Upper bound for stock and price, so a test typo cannot overflow order totals. */
const MAX_VALUE = 100_000_000

/** inventory (4003): stock and price per product. */
export function createInventoryService(options: ServiceOptions): FastifyInstance {
  const { world, eventLog } = options

  return createServiceApp(
    {
      name: 'inventory',
      routes(app) {
        app.get<{ Querystring: Query }>('/inventory', async (request) => {
          const items: Inventory[] = []
          for (const id of parseIdList(request.query)) {
            const record = world.inventory.get(id)
            if (record !== undefined) items.push(record)
          }
          return { items }
        })

        app.put<{ Params: { productId: string } }>('/inventory/:productId', async (request) => {
          const productId = parseId(request.params.productId, 'productId')
          const body = bodyObject(request.body)
          onlyKeys(body, ['stock', 'priceAmount'])
          const { stock, priceAmount } = body
          if (stock !== undefined && !isInt(stock, 0, MAX_VALUE)) throw badRequest(`stock must be an integer in 0..${MAX_VALUE}`)
          if (priceAmount !== undefined && !isInt(priceAmount, 0, MAX_VALUE)) throw badRequest(`priceAmount must be an integer in 0..${MAX_VALUE}`)
          if (stock === undefined && priceAmount === undefined) throw badRequest('body needs stock and/or priceAmount')
          const record = updateInventory(world, productId, { stock, priceAmount })
          if (record === undefined) throw notFound(`product ${productId} not found`)
          await eventLog.append({ type: 'inventory.changed', productId, stock: record.stock, priceAmount: record.price.amount }, { traceparent: request.headers.traceparent })
          return record
        })
      },
    },
    options,
  )
}
