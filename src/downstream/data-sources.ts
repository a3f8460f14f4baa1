import DataLoader from 'dataloader'
import { defer, lastValueFrom } from 'rxjs'
import type { EntityCache } from '../cache/entity-cache.js'
import { invalidationsFor } from '../cache/invalidation.js'
import type { FetchScope } from '../cache/read-through.js'
import { createPassThroughCache } from '../cache/request-cache.js'
import { productViews, type InventoryOutcome, type ProductView } from '../fanout/product-views.js'
import type { CallContext } from './call-context.js'
import type { SearchHit } from './catalog-client.js'
import type { DownstreamClients } from './clients.js'
import type { InventoryDto, OrderDto, Page, ReviewDto, UserDto } from './dto.js'
import { createBatchLoaders, scopedContext } from './batch-loaders.js'
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
  /**
   * One product, for resolvers that run once per item (order items, reviews):
   * the same concurrent catalog ∥ inventory legs as `productViews`, on the
   * batch loaders' promises directly, because a per-item RxJS pipeline costs
   * more in allocation than the item itself.
   */
  productView(id: string, withInventory: boolean): Promise<ProductView | null>
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
  /** What the cache did for this request; absent when built without one. */
  readonly cacheNotes?: undefined | CacheNotes
}

export interface CacheNotes {
  /** True when a stale entry stood in for a failed downstream call (the response says so in `extensions`). */
  readonly stale: boolean
}

function settleInventory(load: Promise<InventoryDto | null>): Promise<InventoryOutcome> {
  return load.then(
    (value): InventoryOutcome => ({ ok: true, value }),
    (error: unknown): InventoryOutcome => ({ ok: false, error }),
  )
}

/** loadMany answers Error entries for a failed batch; surface the first as the failure. */
async function loadAll<V>(loader: DataLoader<string, V>, ids: readonly string[]): Promise<readonly V[]> {
  const results = await loader.loadMany(ids)
  for (const result of results) if (result instanceof Error) throw result
  return results as readonly V[]
}

/**
 * `cache` is the app's entity cache (plugins/cache.ts): entities go through
 * it in the batch loaders, lists and PRIVATE entries here. PRIVATE entries
 * are read only through `cached.owned(resource, ownerId, …)`, which derives
 * the key from that owner and fetches for that same owner, so one user's
 * entry can never answer another user's call. Mutations invalidate what they
 * change before returning, so the client reads its own write.
 */
export function createDataSources(clients: DownstreamClients, ctx: CallContext, cache?: undefined | EntityCache | null): DataSources {
  const cached = cache?.session(ctx.signal) ?? createPassThroughCache(ctx.signal)
  const loaders = createBatchLoaders(clients, ctx, cached)
  const memo = createRequestMemo()
  const within = (scope: FetchScope): CallContext => scopedContext(ctx, scope)
  // The fan-out (fanout/product-views.ts) composes Observables: the loaders' promises become them here.
  const productSources = {
    products: (ids: readonly string[]) => defer(() => loadAll(loaders.products, ids)),
    inventory: (ids: readonly string[]) => defer(() => loadAll(loaders.inventory, ids)),
  }

  return {
    user: (id) => loaders.users.load(id),
    users: (ids) => loadAll(loaders.users, ids),
    followerIds: (userId, first) =>
      memo(`followers:${userId}:${first}`, () =>
        cached.list('followers', userId, String(first), (scope) => clients.users.followerIds(userId, first, within(scope))),
      ),
    productViews: (ids, withInventory) => lastValueFrom(productViews(ids, productSources, { withInventory })),
    productView: async (id, withInventory) => {
      // Both loads start in this tick, so DataLoader batches them with the item's siblings.
      const inventory = withInventory ? settleInventory(loaders.inventory.load(id)) : undefined
      const product = await loaders.products.load(id)
      if (product === null) return null
      return inventory === undefined ? product : { ...product, inventory: await inventory }
    },
    inventory: (productId) => loaders.inventory.load(productId),
    search: (query, first, after) =>
      memo(`search:${query}:${first}:${after ?? ''}`, () => clients.catalog.search(query, first, after, ctx)),
    ordersOfUser: (userId, first, after) =>
      memo(`orders:${userId}:${first}:${after ?? ''}`, async () => {
        const page = await cached.owned('userOrders', userId, `${first}:${after ?? ''}`, (owner, scope) =>
          clients.orders.ordersOfUser(owner, first, after, within(scope)),
        )
        // Orders fetched as a page are primed so Query.order(id) in the same request is free.
        for (const order of page.items) loaders.orders.prime(order.id, order)
        return page
      }),
    order: (id) => loaders.orders.load(id),
    reviewsOfProduct: (productId, first, after) =>
      memo(`reviews:${productId}:${first}:${after ?? ''}`, () =>
        cached.list('productReviews', productId, `${first}:${after ?? ''}`, (scope) =>
          clients.reviews.reviewsOfProduct(productId, first, after, within(scope)),
        ),
      ),
    notificationFeed: (userId, first) =>
      memo(`feed:${userId}:${first}`, () =>
        cached.owned('notificationFeed', userId, String(first), (owner, scope) =>
          clients.notifications.feed(owner, first, within(scope)),
        ),
      ),
    unreadCount: (userId) =>
      memo(`unread:${userId}`, () =>
        cached.owned('unreadCount', userId, undefined, (owner, scope) => clients.notifications.unreadCount(owner, within(scope))),
      ),
    recommendedProductIds: (userId, first) =>
      memo(`recs:${userId}:${first}`, () =>
        cached.owned('recommendations', userId, String(first), (owner, scope) =>
          clients.recommendations.recommendedProductIds(owner, first, within(scope)),
        ),
      ),
    placeOrder: async (request) => {
      const order = await clients.orders.placeOrder(request, ctx)
      await cached.invalidate(invalidationsFor({ type: 'order.created', orderId: order.id, userId: order.userId, status: order.status }))
      return order
    },
    likeReview: async (id) => {
      const review = await clients.reviews.likeReview(id, ctx)
      await cached.invalidate(
        invalidationsFor({ type: 'review.liked', reviewId: review.id, productId: review.productId, likes: review.likes }),
      )
      return review
    },
    markNotificationsRead: async (ids) => {
      // Only ids are given: the owners come from the index written beside each cached feed.
      const owners = await cached.ownersOf('notificationFeed', ids)
      const updated = await clients.notifications.markRead(ids, ctx)
      await cached.invalidate(owners.flatMap((userId) => invalidationsFor({ type: 'notification.read', userId, notificationIds: ids })))
      return updated
    },
    cacheNotes: cached,
  }
}
