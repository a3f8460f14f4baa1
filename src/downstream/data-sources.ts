import DataLoader from 'dataloader'
import { defer, lastValueFrom, map, type Observable } from 'rxjs'
import { productViews, type ProductView } from '../fanout/product-views.js'
import type { CallContext } from './call-context.js'
import type { SearchHit } from './catalog-client.js'
import type { DownstreamClients } from './clients.js'
import type { InventoryDto, NotificationDto, OrderDto, Page, ReviewDto, UserDto } from './dto.js'
import { createBatchLoaders } from './batch-loaders.js'
import { createRequestMemo } from './memo.js'
import type { NotificationFeedDto } from './notifications-client.js'
import type { PlaceOrderRequest } from './orders-client.js'

/**
 * The per-request face of the downstream layer that resolvers talk to. It owns
 * batching and de-duplication; resolvers never see HTTP, clients or loaders.
 */
export interface DataSources {
  user(id: string): Promise<UserDto | null>
  users(ids: readonly string[]): Promise<readonly (UserDto | null)[]>
  followerIds(userId: string, first: number): Promise<readonly string[]>
  /** Catalog products with inventory fetched concurrently when `withInventory`. */
  productViews(ids: readonly string[], withInventory: boolean): Promise<readonly (ProductView | null)[]>
  inventory(productId: string): Promise<InventoryDto | null>
  search(query: string, first: number, after: string | undefined): Promise<Page<SearchHit>>
  ordersOfUser(userId: string, first: number, after: string | undefined): Promise<Page<OrderDto>>
  order(id: string): Promise<OrderDto | null>
  reviewsOfProduct(productId: string, first: number, after: string | undefined): Promise<Page<ReviewDto>>
  notificationFeed(userId: string, first: number): Promise<NotificationFeedDto>
  unreadCount(userId: string): Promise<number>
  recommendedProductIds(userId: string, first: number): Promise<readonly string[]>
  placeOrder(request: PlaceOrderRequest): Promise<OrderDto>
  likeReview(id: string): Promise<ReviewDto>
  markNotificationsRead(ids: readonly string[]): Promise<number>
}

export type { NotificationDto, ProductView }

/** loadMany answers Error entries for a failed batch; surface the first as the failure. */
function loadAll<V>(loader: DataLoader<string, V>, ids: readonly string[]): Observable<readonly V[]> {
  return defer(() => loader.loadMany(ids)).pipe(
    map((results) => {
      for (const result of results) if (result instanceof Error) throw result
      return results as readonly V[]
    }),
  )
}

export function createDataSources(clients: DownstreamClients, ctx: CallContext): DataSources {
  const loaders = createBatchLoaders(clients, ctx)
  const memo = createRequestMemo()
  const once = <T>(source: Observable<T>): Promise<T> => lastValueFrom(source)
  const productSources = {
    products: (ids: readonly string[]) => loadAll(loaders.products, ids),
    inventory: (ids: readonly string[]) => loadAll(loaders.inventory, ids),
  }

  return {
    user: (id) => loaders.users.load(id),
    users: (ids) => lastValueFrom(loadAll(loaders.users, ids)),
    followerIds: (userId, first) =>
      memo(`followers:${userId}:${first}`, () => once(clients.users.followerIds(userId, first, ctx))),
    productViews: (ids, withInventory) => lastValueFrom(productViews(ids, productSources, { withInventory })),
    inventory: (productId) => loaders.inventory.load(productId),
    search: (query, first, after) =>
      memo(`search:${query}:${first}:${after ?? ''}`, () => once(clients.catalog.search(query, first, after, ctx))),
    ordersOfUser: (userId, first, after) =>
      memo(`orders:${userId}:${first}:${after ?? ''}`, async () => {
        const page = await once(clients.orders.ordersOfUser(userId, first, after, ctx))
        // Orders fetched as a page are primed so Query.order(id) in the same request is free.
        for (const order of page.items) loaders.orders.prime(order.id, order)
        return page
      }),
    order: (id) => loaders.orders.load(id),
    reviewsOfProduct: (productId, first, after) =>
      memo(`reviews:${productId}:${first}:${after ?? ''}`, () =>
        once(clients.reviews.reviewsOfProduct(productId, first, after, ctx)),
      ),
    notificationFeed: (userId, first) =>
      memo(`feed:${userId}:${first}`, () => once(clients.notifications.feed(userId, first, ctx))),
    unreadCount: (userId) => memo(`unread:${userId}`, () => once(clients.notifications.unreadCount(userId, ctx))),
    recommendedProductIds: (userId, first) =>
      memo(`recs:${userId}:${first}`, () => once(clients.recommendations.recommendedProductIds(userId, first, ctx))),
    placeOrder: (request) => once(clients.orders.placeOrder(request, ctx)),
    likeReview: (id) => once(clients.reviews.likeReview(id, ctx)),
    markNotificationsRead: (ids) => once(clients.notifications.markRead(ids, ctx)),
  }
}
