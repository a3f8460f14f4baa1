import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { orderDto, ordersBatch, ordersPage, type OrderDto, type Page } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { seg, validated, withQuery } from './validate.js'

export interface PlaceOrderRequest {
  readonly userId: string
  readonly items: readonly { readonly productId: string; readonly quantity: number }[]
}

export interface OrdersClient {
  /** A user's orders, newest first. */
  ordersOfUser(userId: string, first: number, after: string | undefined, ctx: CallContext): Observable<Page<OrderDto>>
  ordersByIds(ids: readonly string[], ctx: CallContext): Observable<readonly OrderDto[]>
  /** Not idempotent: never retried. */
  placeOrder(request: PlaceOrderRequest, ctx: CallContext): Observable<OrderDto>
}

export function createOrdersClient(caller: ServiceCaller): OrdersClient {
  const service = caller.service
  return {
    ordersOfUser: (userId, first, after, ctx) =>
      caller.call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/orders`, { first, after }) }, ctx).pipe(
        validated(service, ordersPage, (body) => ({ items: body.orders, cursors: body.cursors, hasNextPage: body.hasNextPage, endCursor: body.endCursor })),
      ),
    ordersByIds: (ids, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery('/orders', { ids: ids.join(',') }) }, ctx)
        .pipe(validated(service, ordersBatch, (body) => body.orders)),
    placeOrder: (request, ctx) =>
      caller.call({ method: 'POST', path: '/orders', body: request }, ctx).pipe(validated(service, orderDto)),
  }
}
