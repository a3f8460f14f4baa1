import type { CallContext } from './call-context.js'
import { productsBatch, searchPage, type Page, type ProductDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { withQuery } from './paths.js'

export interface SearchHit {
  readonly cursor: string
  readonly product: ProductDto
}

export interface CatalogClient {
  productsByIds(ids: readonly string[], ctx: CallContext): Promise<readonly ProductDto[]>
  search(query: string, first: number, after: string | undefined, ctx: CallContext): Promise<Page<SearchHit>>
}

export function createCatalogClient(caller: ServiceCaller): CatalogClient {
  const service = caller.service
  return {
    productsByIds: async (ids, ctx) =>
      checked(service, productsBatch, await caller.call({ method: 'GET', path: withQuery('/products', { ids: ids.join(',') }) }, ctx))
        .products,
    search: async (query, first, after, ctx) => {
      const body = checked(service, searchPage, await caller.call({ method: 'GET', path: withQuery('/search', { q: query, first, after }) }, ctx))
      return { items: body.items, cursors: body.items.map((hit) => hit.cursor), hasNextPage: body.hasNextPage, endCursor: body.endCursor, total: body.total }
    },
  }
}
