import DataLoader from 'dataloader'
import { defer, lastValueFrom } from 'rxjs'
import type { ReadTrail } from '../cache/read-trail.js'
import type { FetchScope } from '../cache/read-through.js'
import { createPassThroughCache, type CacheNotes } from '../cache/request-cache.js'
import { pricedView, productViews, type InventoryOutcome, type ProductSources, type ProductView } from './product-views.js'
import type { CallContext } from '../downstream/call-context.js'
import type { SearchHit } from '../downstream/catalog-client.js'
import type { DownstreamClients } from '../downstream/clients.js'
import type { InventoryDto, OrderDto, Page, ReviewDto, UserDto } from '../downstream/dto.js'
import { createBatchLoaders, scopedContext, type BatchLoaders } from './batch-loaders.js'
import { changed } from './invalidation.js'
import { createRequestMemo } from './memo.js'
import type { DataCache, RequestDataCache, Resources } from './resources.js'
import type { NotificationFeedDto } from '../downstream/notifications-client.js'
import type { PlaceOrderRequest } from '../downstream/orders-client.js'

/**
 * The per-operation data layer that resolvers talk to. It owns
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

export type { CacheNotes } from '../cache/request-cache.js'

const inventoryFound = (value: InventoryDto | null): InventoryOutcome => ({ ok: true, value })
const inventoryFailed = (error: unknown): InventoryOutcome => ({ ok: false, error })

/** Runs once per order item: module-level handlers, so no closures per call. */
function settleInventory(load: Promise<InventoryDto | null>): Promise<InventoryOutcome> {
  return load.then(inventoryFound, inventoryFailed)
}

/**
 * Every id's value, or the first failure. `Promise.all` over `load` rather
 * than `loadMany`, which wraps each key's promise in one more (a `catch` that
 * turns failures into Error entries) only for us to throw the first of them.
 */
function loadAll<V>(loader: DataLoader<string, V>, ids: readonly string[]): Promise<readonly V[]> {
  return Promise.all(ids.map((id) => loader.load(id)))
}

/**
 * `cache` is the app's entity cache (plugins/cache.ts): entities go through
 * it in the batch loaders, lists and PRIVATE entries here. PRIVATE entries
 * are read only through `cached.owned(resource, ownerId, …)`, which derives
 * the key from that owner and fetches for that same owner, so one user's
 * entry can never answer another user's call. Mutations invalidate what they
 * change before returning, so the client reads its own write.
 */
export function createDataSources(clients: DownstreamClients, ctx: CallContext, cache?: undefined | DataCache | null, trail: ReadTrail | null = null): DataSources {
  return new RequestDataSources(clients, ctx, cache?.session(ctx, trail) ?? createPassThroughCache<Resources>(ctx, trail))
}

/** A class rather than an object of closures: one is built per GraphQL request. */
class RequestDataSources implements DataSources {
  readonly #clients: DownstreamClients
  readonly #ctx: CallContext
  readonly #cached: RequestDataCache
  readonly #loaders: BatchLoaders
  readonly #memo = createRequestMemo()
  #productSources: ProductSources | undefined

  constructor(clients: DownstreamClients, ctx: CallContext, cached: RequestDataCache) {
    this.#clients = clients
    this.#ctx = ctx
    this.#cached = cached
    this.#loaders = createBatchLoaders(clients, ctx, cached)
  }

  get cacheNotes(): CacheNotes {
    return this.#cached.notes
  }

  #within(scope: FetchScope): CallContext {
    return scopedContext(this.#ctx, scope)
  }

  user(id: string): Promise<UserDto | null> {
    return this.#loaders.users.load(id)
  }

  users(ids: readonly string[]): Promise<readonly (UserDto | null)[]> {
    return loadAll(this.#loaders.users, ids)
  }

  followerIds(userId: string, first: number): Promise<readonly string[]> {
    return this.#memo(`followers:${userId}:${first}`, () =>
      this.#cached.list('followers', userId, String(first), (scope) => this.#clients.users.followerIds(userId, first, this.#within(scope))),
    )
  }

  productViews(ids: readonly string[], withInventory: boolean): Promise<readonly (ProductView | null)[]> {
    // The join (product-views.ts) composes Observables: the loaders' promises become them here.
    const loaders = this.#loaders
    this.#productSources ??= {
      products: (batch) => defer(() => loadAll(loaders.products, batch)),
      inventory: (batch) => defer(() => loadAll(loaders.inventory, batch)),
    }
    return lastValueFrom(productViews(ids, this.#productSources, { withInventory }))
  }

  async productView(id: string, withInventory: boolean): Promise<ProductView | null> {
    // Both loads start in this tick, so DataLoader batches them with the item's siblings.
    const inventory = withInventory ? settleInventory(this.#loaders.inventory.load(id)) : undefined
    const product = await this.#loaders.products.load(id)
    if (product === null) return null
    return inventory === undefined ? product : pricedView(product, await inventory)
  }

  inventory(productId: string): Promise<InventoryDto | null> {
    return this.#loaders.inventory.load(productId)
  }

  search(query: string, first: number, after: string | undefined): Promise<Page<SearchHit>> {
    return this.#memo(`search:${query}:${first}:${after ?? ''}`, () => this.#clients.catalog.search(query, first, after, this.#ctx))
  }

  ordersOfUser(userId: string, first: number, after: string | undefined): Promise<Page<OrderDto>> {
    return this.#memo(`orders:${userId}:${first}:${after ?? ''}`, async () => {
      const page = await this.#cached.owned('userOrders', userId, `${first}:${after ?? ''}`, (owner, scope) =>
        this.#clients.orders.ordersOfUser(owner, first, after, this.#within(scope)),
      )
      // Orders fetched as a page are primed so Query.order(id) in the same request is free.
      for (const order of page.items) this.#loaders.orders.prime(order.id, order)
      return page
    })
  }

  order(id: string): Promise<OrderDto | null> {
    return this.#loaders.orders.load(id)
  }

  reviewsOfProduct(productId: string, first: number, after: string | undefined): Promise<Page<ReviewDto>> {
    return this.#memo(`reviews:${productId}:${first}:${after ?? ''}`, () =>
      this.#cached.list('productReviews', productId, `${first}:${after ?? ''}`, (scope) =>
        this.#clients.reviews.reviewsOfProduct(productId, first, after, this.#within(scope)),
      ),
    )
  }

  notificationFeed(userId: string, first: number): Promise<NotificationFeedDto> {
    return this.#memo(`feed:${userId}:${first}`, () =>
      this.#cached.owned('notificationFeed', userId, String(first), (owner, scope) =>
        this.#clients.notifications.feed(owner, first, this.#within(scope)),
      ),
    )
  }

  unreadCount(userId: string): Promise<number> {
    return this.#memo(`unread:${userId}`, () =>
      this.#cached.owned('unreadCount', userId, undefined, (owner, scope) => this.#clients.notifications.unreadCount(owner, this.#within(scope))),
    )
  }

  recommendedProductIds(userId: string, first: number): Promise<readonly string[]> {
    return this.#memo(`recs:${userId}:${first}`, () =>
      this.#cached.owned('recommendations', userId, String(first), (owner, scope) =>
        this.#clients.recommendations.recommendedProductIds(owner, first, this.#within(scope)),
      ),
    )
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderDto> {
    const order = await this.#clients.orders.placeOrder(request, this.#ctx)
    await this.#cached.invalidate(changed.ordersOf(order.userId))
    return order
  }

  async likeReview(id: string): Promise<ReviewDto> {
    const review = await this.#clients.reviews.likeReview(id, this.#ctx)
    await this.#cached.invalidate(changed.review(review.id, review.productId))
    return review
  }

  async markNotificationsRead(ids: readonly string[]): Promise<number> {
    // Only ids are given: the owners come from the index written beside each cached feed.
    const owners = await this.#cached.ownersOf('notificationFeed', ids)
    const updated = await this.#clients.notifications.markRead(ids, this.#ctx)
    await this.#cached.invalidate(owners.flatMap((userId) => changed.notificationsOf(userId)))
    return updated
  }
}
