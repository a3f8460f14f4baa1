import DataLoader from 'dataloader'
import { lastValueFrom, type Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import type { DownstreamClients } from './clients.js'
import type { InventoryDto, OrderDto, ProductDto, ReviewDto, UserDto } from './dto.js'

/**
 * Per-request batching: every `load(id)` made in the same tick becomes one
 * batch call (`?ids=…`) and repeated ids in a request are fetched once.
 * DataLoader is the reference implementation of this; it lets unrelated
 * resolvers (Review.author, User.followers, Home.user) share one users call.
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

function byId<T>(
  fetch: (ids: readonly string[]) => Observable<readonly T[]>,
  idOf: (item: T) => string,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const items = await lastValueFrom(fetch(ids))
      const found = new Map(items.map((item) => [idOf(item), item]))
      return ids.map((id) => found.get(id) ?? null)
    },
    { maxBatchSize: MAX_BATCH },
  )
}

export function createBatchLoaders(clients: DownstreamClients, ctx: CallContext): BatchLoaders {
  return {
    users: byId((ids) => clients.users.usersByIds(ids, ctx), (u) => u.id),
    products: byId((ids) => clients.catalog.productsByIds(ids, ctx), (p) => p.id),
    inventory: byId((ids) => clients.inventory.inventoryByIds(ids, ctx), (i) => i.productId),
    orders: byId((ids) => clients.orders.ordersByIds(ids, ctx), (o) => o.id),
    reviews: byId((ids) => clients.reviews.reviewsByIds(ids, ctx), (r) => r.id),
  }
}
