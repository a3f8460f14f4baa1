import DataLoader from 'dataloader'
import type { FetchScope } from '../cache/read-through.js'
import { createPassThroughCache } from '../cache/request-cache.js'
import type { EntityResource, RequestDataCache, Resources, ValueOf } from './resources.js'
import type { CallContext } from '../downstream/call-context.js'
import type { DownstreamClients } from '../downstream/clients.js'
import type { InventoryDto, OrderDto, ProductDto, ReviewDto, UserDto } from '../downstream/dto.js'

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
 * outlives the request, so that request's deadline and call budget do not
 * bound it.
 */
export function scopedContext(ctx: CallContext, scope: FetchScope): CallContext {
  return scope.background
    ? { requestId: ctx.requestId, log: ctx.log, signal: scope.signal, bearerToken: ctx.bearerToken }
    : { requestId: ctx.requestId, log: ctx.log, deadline: ctx.deadline, budget: ctx.budget, signal: scope.signal, bearerToken: ctx.bearerToken, trace: ctx.trace }
}

export function createBatchLoaders(
  clients: DownstreamClients,
  ctx: CallContext,
  cache: RequestDataCache = createPassThroughCache<Resources>(ctx),
): BatchLoaders {
  return new RequestBatchLoaders(clients, ctx, cache)
}

/**
 * Loaders built on first use: a query touches two or three of the five. A
 * class, not an object literal with getters: V8 keeps such a literal in
 * dictionary mode, and with it the young-generation GC promoted 13.7 % of a
 * warm query's allocation (3.7 % with the class) and scavenges took 25–30 ms,
 * the p99 tail of the cache benchmark (docs/benchmarks.md, "Where the tail
 * came from"; test/unit/downstream/per-request-objects.test.ts).
 */
class RequestBatchLoaders implements BatchLoaders {
  readonly #clients: DownstreamClients
  readonly #ctx: CallContext
  readonly #cache: RequestDataCache
  #users: BatchLoaders['users'] | undefined
  #products: BatchLoaders['products'] | undefined
  #inventory: BatchLoaders['inventory'] | undefined
  #orders: BatchLoaders['orders'] | undefined
  #reviews: BatchLoaders['reviews'] | undefined

  constructor(clients: DownstreamClients, ctx: CallContext, cache: RequestDataCache) {
    this.#clients = clients
    this.#ctx = ctx
    this.#cache = cache
  }

  get users(): BatchLoaders['users'] {
    const { users } = this.#clients
    return (this.#users ??= this.#cached('user', (ids, c) => users.usersByIds(ids, c), (u) => u.id))
  }

  get products(): BatchLoaders['products'] {
    const { catalog } = this.#clients
    return (this.#products ??= this.#cached('product', (ids, c) => catalog.productsByIds(ids, c), (p) => p.id))
  }

  get inventory(): BatchLoaders['inventory'] {
    const { inventory } = this.#clients
    return (this.#inventory ??= this.#cached('inventory', (ids, c) => inventory.inventoryByIds(ids, c), (i) => i.productId))
  }

  get orders(): BatchLoaders['orders'] {
    // Orders are PRIVATE and an id names no owner: never cached by id (see data/resources.ts).
    const { orders } = this.#clients
    const ctx = this.#ctx
    return (this.#orders ??= new DataLoader<string, OrderDto | null>(
      async (ids) => {
        const found = new Map((await orders.ordersByIds(ids, ctx)).map((order) => [order.id, order]))
        return ids.map((id) => found.get(id) ?? null)
      },
      { maxBatchSize: MAX_BATCH },
    ))
  }

  get reviews(): BatchLoaders['reviews'] {
    const { reviews } = this.#clients
    return (this.#reviews ??= this.#cached('review', (ids, c) => reviews.reviewsByIds(ids, c), (r) => r.id))
  }

  #cached<R extends EntityResource>(
    resource: R,
    fetch: BatchFetch<ValueOf<R>>,
    idOf: (value: ValueOf<R>) => string,
  ): DataLoader<string, ValueOf<R> | null> {
    const cache = this.#cache
    const ctx = this.#ctx
    const trace = ctx.trace
    if (trace === undefined) {
      return new DataLoader<string, ValueOf<R> | null>(
        (ids) => cache.entities(resource, ids, (missing, scope) => fetch(missing, scopedContext(ctx, scope)), idOf),
        { maxBatchSize: MAX_BATCH },
      )
    }
    // Traced: entities the cache served without a call of this request's own become a span event.
    return new DataLoader<string, ValueOf<R> | null>(
      async (ids) => {
        let fetched = 0
        const values = await cache.entities(
          resource,
          ids,
          (missing, scope) => {
            fetched += missing.length
            return fetch(missing, scopedContext(ctx, scope))
          },
          idOf,
        )
        if (fetched < ids.length) trace.addEvent('cache.read', { 'bff.cache.resource': resource, 'bff.cache.served': ids.length - fetched, 'bff.cache.fetched': fetched })
        return values
      },
      { maxBatchSize: MAX_BATCH },
    )
  }
}
