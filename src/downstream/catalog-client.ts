import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { productsBatch, searchPage, type Page, type ProductDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { validated, withQuery } from './validate.js'

export interface SearchHit {
  readonly cursor: string
  readonly product: ProductDto
}

export interface CatalogClient {
  productsByIds(ids: readonly string[], ctx: CallContext): Observable<readonly ProductDto[]>
  search(query: string, first: number, after: string | undefined, ctx: CallContext): Observable<Page<SearchHit>>
}

export function createCatalogClient(caller: ServiceCaller): CatalogClient {
  const service = caller.service
  return {
    productsByIds: (ids, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery('/products', { ids: ids.join(',') }) }, ctx)
        .pipe(validated(service, productsBatch, (body) => body.products)),
    search: (query, first, after, ctx) =>
      caller.call({ method: 'GET', path: withQuery('/search', { q: query, first, after }) }, ctx).pipe(
        validated(service, searchPage, (body) => ({ items: body.items, cursors: body.items.map((hit) => hit.cursor), hasNextPage: body.hasNextPage, endCursor: body.endCursor, total: body.total })),
      ),
  }
}
