import DataLoader from 'dataloader'
import type { FetchScope } from '../cache/read-through.js'
import { createPassThroughCache, type RequestCache } from '../cache/request-cache.js'
import type { EntityResource, ValueOf } from '../cache/resources.js'
import type { CallContext } from './call-context.js'
import type { DownstreamClients } from './clients.js'
import type { InventoryDto, OrderDto, ProductDto, ReviewDto, UserDto } from './dto.js'

/**
 * Per-request batching: every `load(id)` made in the same tick becomes one
 * batch call (`?ids=…`) and repeated ids in a request are fetched once.
 * DataLoader is the reference implementation of this; it lets unrelated
 * resolvers (Review.author, User.followers, Home.user) share one users call.
 *
 * Each batch goes through the cache first (batch-aware cache-aside): one
 * store read for the N ids, one downstream call for the misses only.
 */
export interface BatchLoaders {
  readonly users: DataLoader<string, UserDto | null>
  readonly products: DataLoader<string, ProductDto | null>
  readonly inventory: DataLoader<string, InventoryDto | null>
  readonly orders: DataLoader<string, OrderDto | null>
  readonly reviews: DataLoader<string, ReviewDto | null>
}

/** The mocks (and most real services) cap `?ids=` lists; stay well under. */
const MAX_BATCH = 200

type BatchFetch<T> = (ids: readonly string[], ctx: CallContext) => Promise<readonly T[]>

/**
 * The call context of a fetch the cache makes: its signal belongs to the
 * shared call (several requests may wait on it), and a background refresh
 * outlives the request, so that request's deadline does not bound it.
 */
export function scopedContext(ctx: CallContext, scope: FetchScope): CallContext {
  return scope.background ? { requestId: ctx.requestId, log: ctx.log, signal: scope.signal } : { ...ctx, signal: scope.signal }
}

export function createBatchLoaders(
  clients: DownstreamClients,
  ctx: CallContext,
  cache: RequestCache = createPassThroughCache(ctx.signal),
): BatchLoaders {
  const cached = <R extends EntityResource>(
    resource: R,
    fetch: BatchFetch<ValueOf<R>>,
    idOf: (value: ValueOf<R>) => string,
  ): DataLoader<string, ValueOf<R> | null> =>
    new DataLoader<string, ValueOf<R> | null>(
      (ids) => cache.entities(resource, ids, (missing, scope) => fetch(missing, scopedContext(ctx, scope)), idOf),
      { maxBatchSize: MAX_BATCH },
    )

  // Built on first use: a query touches two or three of the five.
  let users: BatchLoaders['users'] | undefined
  let products: BatchLoaders['products'] | undefined
  let inventory: BatchLoaders['inventory'] | undefined
  let orders: BatchLoaders['orders'] | undefined
  let reviews: BatchLoaders['reviews'] | undefined
  return {
    get users() {
      return (users ??= cached('user', (ids, c) => clients.users.usersByIds(ids, c), (u) => u.id))
    },
    get products() {
      return (products ??= cached('product', (ids, c) => clients.catalog.productsByIds(ids, c), (p) => p.id))
    },
    get inventory() {
      return (inventory ??= cached('inventory', (ids, c) => clients.inventory.inventoryByIds(ids, c), (i) => i.productId))
    },
    get orders() {
      // Orders are PRIVATE and an id names no owner: never cached by id (see cache/resources.ts).
      return (orders ??= new DataLoader<string, OrderDto | null>(
        async (ids) => {
          const found = new Map((await clients.orders.ordersByIds(ids, ctx)).map((order) => [order.id, order]))
          return ids.map((id) => found.get(id) ?? null)
        },
        { maxBatchSize: MAX_BATCH },
      ))
    },
    get reviews() {
      return (reviews ??= cached('review', (ids, c) => clients.reviews.reviewsByIds(ids, c), (r) => r.id))
    },
  }
}
