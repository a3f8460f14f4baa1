import { Type } from '@sinclair/typebox'
import type { EntityCache } from '../cache/entity-cache.js'
import type { RequestCache } from '../cache/request-cache.js'
import type { InvalidationTarget, NamesOfKind, ResourceDef, ResourceKind, ValueOf as CachedValueOf } from '../cache/resource-table.js'
import type { ServiceName } from '../config/services.js'
import { contract } from '../downstream/contract.js'
import {
  inventoryDto,
  notificationsPage,
  pageOf,
  productDto,
  reviewDto,
  schemas,
  userDto,
  type OrderDto,
  type Page,
  type ReviewDto,
} from '../downstream/dto.js'
import type { NotificationFeedDto } from '../downstream/notifications-client.js'

/** A resource of a downstream service; its `kind` stays a literal so the cache's methods can ask for one kind. */
type BffResource<T, K extends ResourceKind> = ResourceDef<T> & { readonly service: ServiceName; readonly kind: K }

/** Identity with inference: `schema` fixes T, which then types `ownersOf`. */
const resource = <T, K extends ResourceKind>(def: BffResource<T, K>): BffResource<T, K> => def

const ids = contract(Type.Array(schemas.id))

/**
 * What the entity cache holds, handed to it by plugins/cache.ts. Not cached, on purpose:
 * - orders by id (Query.order): Order is PRIVATE and an id names no owner;
 * - search pages: Query.search and ProductConnection carry no hint (maxAge 0).
 */
export const RESOURCES = {
  user: resource({ service: 'users', name: 'user', kind: 'entity', coordinates: ['User'], schema: userDto }),
  followers: resource<readonly string[], 'list'>({ service: 'users', name: 'followers', kind: 'list', coordinates: ['User.followers'], schema: ids }),
  product: resource({ service: 'catalog', name: 'product', kind: 'entity', coordinates: ['Product'], schema: productDto }),
  inventory: resource({
    service: 'inventory',
    name: 'stock',
    kind: 'entity',
    coordinates: ['Product.price', 'Product.stock'],
    schema: inventoryDto,
    invalidatedByEvents: true,
  }),
  review: resource({ service: 'reviews', name: 'review', kind: 'entity', coordinates: ['Review'], schema: reviewDto }),
  productReviews: resource<Page<ReviewDto>, 'list'>({
    service: 'reviews',
    name: 'product-reviews',
    kind: 'list',
    coordinates: ['Product.reviews'],
    schema: contract(pageOf(schemas.review)),
  }),
  userOrders: resource<Page<OrderDto>, 'owned'>({
    service: 'orders',
    name: 'user-orders',
    kind: 'owned',
    coordinates: ['User.orders', 'Home.recentOrders'],
    schema: contract(pageOf(schemas.order)),
    ownersOf: (page) => page.items.map((order) => order.userId),
    invalidatedByEvents: true,
  }),
  notificationFeed: resource<NotificationFeedDto, 'owned'>({
    service: 'notifications',
    name: 'feed',
    kind: 'owned',
    coordinates: ['Home.notifications', 'NotificationFeed.latest'],
    schema: notificationsPage,
    ownersOf: (feed) => feed.notifications.map((notification) => notification.userId),
    indexes: (feed) => feed.notifications.map((notification) => notification.id),
    invalidatedByEvents: true,
  }),
  unreadCount: resource({
    service: 'notifications',
    name: 'unread',
    kind: 'owned',
    coordinates: ['NotificationFeed.unreadCount'],
    schema: contract(schemas.int),
    invalidatedByEvents: true,
  }),
  recommendations: resource<readonly string[], 'owned'>({
    service: 'recommendations',
    name: 'for-user',
    kind: 'owned',
    coordinates: ['Home.recommendations'],
    schema: ids,
  }),
} as const

export type Resources = typeof RESOURCES
export type ResourceName = keyof Resources
/** Entities fetched in batches by id (DataLoader). */
export type EntityResource = NamesOfKind<Resources, 'entity'>
/** PUBLIC lists keyed by an entity id, one member per page variant. */
export type ListResource = NamesOfKind<Resources, 'list'>
/** PRIVATE entries keyed by their owner. */
export type OwnedResource = NamesOfKind<Resources, 'owned'>

/** The value type a resource caches. */
export type ValueOf<R extends ResourceName> = CachedValueOf<Resources, R>

/** The app's entity cache, over this table. */
export type DataCache = EntityCache<Resources>
/** One request's view of it. */
export type RequestDataCache = RequestCache<Resources>
/** Entries to drop after a change (see invalidation.ts). */
export type Invalidations = readonly InvalidationTarget<ResourceName>[]
