import type { FastifyInstance } from 'fastify'
import { encodeCursor, pageByOffset } from '../world/paging.js'
import { createProductSearch } from '../world/product-search.js'
import type { Product } from '../world/types.js'
import { badRequest, notFound } from './http-errors.js'
import { parseAfter, parseFirst, parseId, parseIdList, queryParam, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** Longest accepted search text, in characters. */
const MAX_QUERY_LENGTH = 200

/** catalog (4002): products and search. */
export function createCatalogService(options: ServiceOptions): FastifyInstance {
  const { world } = options
  const search = createProductSearch(world.productList)

  return createServiceApp(
    {
      name: 'catalog',
      routes(app) {
        app.get<{ Querystring: Query }>('/products', async (request) => {
          const products: Product[] = []
          for (const id of parseIdList(request.query)) {
            const product = world.products.get(id)
            if (product !== undefined) products.push(product)
          }
          return { products }
        })

        app.get<{ Params: { id: string } }>('/products/:id', async (request) => {
          const id = parseId(request.params.id, 'id')
          const product = world.products.get(id)
          if (product === undefined) throw notFound(`product ${id} not found`)
          return product
        })

        app.get<{ Querystring: Query }>('/search', async (request) => {
          const q = queryParam(request.query, 'q')
          if (q === undefined) throw badRequest('query parameter q is required (may be empty)')
          if (q.length > MAX_QUERY_LENGTH) throw badRequest(`q is longer than ${MAX_QUERY_LENGTH} characters`)
          const first = parseFirst(request.query, 20)
          const after = parseAfter(request.query, 'search') ?? -1
          const found = search.search(q)
          const page = pageByOffset(found, first, after)
          const items = page.items.map((product, i) => ({ cursor: encodeCursor('search', after + 1 + i), product }))
          return { items, hasNextPage: page.hasNextPage, endCursor: items.at(-1)?.cursor ?? null, total: found.length }
        })
      },
    },
    options,
  )
}
