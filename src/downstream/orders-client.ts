import type { CallContext } from './call-context.js'
import { orderDto, ordersBatch, ordersPage, type OrderDto, type Page } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { seg, withQuery } from './paths.js'

export interface PlaceOrderRequest {
  readonly userId: string
  readonly items: readonly { readonly productId: string; readonly quantity: number }[]
}

export interface OrdersClient {
  /** A user's orders, newest first. */
  ordersOfUser(userId: string, first: number, after: string | undefined, ctx: CallContext): Promise<Page<OrderDto>>
  ordersByIds(ids: readonly string[], ctx: CallContext): Promise<readonly OrderDto[]>
  /** Not idempotent: never retried. */
  placeOrder(request: PlaceOrderRequest, ctx: CallContext): Promise<OrderDto>
}

export function createOrdersClient(caller: ServiceCaller): OrdersClient {
  const service = caller.service
  return {
    ordersOfUser: async (userId, first, after, ctx) => {
      const body = checked(service, ordersPage, await caller.call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/orders`, { first, after }) }, ctx))
      return { items: body.orders, cursors: body.cursors, hasNextPage: body.hasNextPage, endCursor: body.endCursor }
    },
    ordersByIds: async (ids, ctx) =>
      checked(service, ordersBatch, await caller.call({ method: 'GET', path: withQuery('/orders', { ids: ids.join(',') }) }, ctx)).orders,
    placeOrder: async (request, ctx) => checked(service, orderDto, await caller.call({ method: 'POST', path: '/orders', body: request }, ctx)),
  }
}
