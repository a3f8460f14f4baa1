import { Type } from '@sinclair/typebox'
import type { ServiceName } from '../config/services.js'
import { contract, type Contract } from '../downstream/contract.js'
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

/**
 * One kind of cached downstream answer. What is cached, and how it is keyed,
 * is decided here; how long, and for whom, comes from the SDL (`coordinates`).
 */
export interface ResourceDef<T> {
  readonly service: ServiceName
  /** Key segment; with the service, the counter label (`catalog:product`). */
  readonly name: string
  /**
   * `id`: keyed by the entity's id and shared by every user; a PRIVATE policy
   * disables caching it (an id alone names no owner to key by).
   * `owner`: keyed by the user the data belongs to; only ever read for that user.
   */
  readonly keyedBy: 'id' | 'owner'
  /** Schema coordinates whose @cacheControl give the TTL and scope (shortest maxAge wins). */
  readonly coordinates: readonly string[]
  /** Validates values read back from the store. */
  readonly schema: Contract<T>
  /**
   * For owned values: the user ids the value itself says it belongs to. A value
   * naming anyone but the owner it was read for is never served (defence in
   * depth on top of the key).
   */
  readonly ownersOf?: undefined | ((value: T) => readonly string[])
  /**
   * Ids of the items inside a value, indexed to the value's owner beside it, so
   * a mutation that names only item ids (markNotificationsRead) can find whose
   * entries to drop, on any instance.
   */
  readonly indexes?: undefined | ((value: T) => readonly string[])
}

/** Identity with inference: `schema` fixes T, which then types `ownersOf`. */
const resource = <T>(def: ResourceDef<T>): ResourceDef<T> => def

const ids = contract(Type.Array(schemas.id))

/**
 * Not cached, on purpose:
 * - orders by id (Query.order): Order is PRIVATE and an id names no owner;
 * - search pages: Query.search and ProductConnection carry no hint (maxAge 0).
 */
export const RESOURCES = {
  user: resource({ service: 'users', name: 'user', keyedBy: 'id', coordinates: ['User'], schema: userDto }),
  followers: resource<readonly string[]>({ service: 'users', name: 'followers', keyedBy: 'id', coordinates: ['User.followers'], schema: ids }),
  product: resource({ service: 'catalog', name: 'product', keyedBy: 'id', coordinates: ['Product'], schema: productDto }),
  inventory: resource({
    service: 'inventory',
    name: 'stock',
    keyedBy: 'id',
    coordinates: ['Product.price', 'Product.stock'],
    schema: inventoryDto,
  }),
  review: resource({ service: 'reviews', name: 'review', keyedBy: 'id', coordinates: ['Review'], schema: reviewDto }),
  productReviews: resource<Page<ReviewDto>>({
    service: 'reviews',
    name: 'product-reviews',
    keyedBy: 'id',
    coordinates: ['Product.reviews'],
    schema: contract(pageOf(schemas.review)),
  }),
  userOrders: resource<Page<OrderDto>>({
    service: 'orders',
    name: 'user-orders',
    keyedBy: 'owner',
    coordinates: ['User.orders', 'Home.recentOrders'],
    schema: contract(pageOf(schemas.order)),
    ownersOf: (page) => page.items.map((order) => order.userId),
  }),
  notificationFeed: resource<NotificationFeedDto>({
    service: 'notifications',
    name: 'feed',
    keyedBy: 'owner',
    coordinates: ['Home.notifications', 'NotificationFeed.latest'],
    schema: notificationsPage,
    ownersOf: (feed) => feed.notifications.map((notification) => notification.userId),
    indexes: (feed) => feed.notifications.map((notification) => notification.id),
  }),
  unreadCount: resource({
    service: 'notifications',
    name: 'unread',
    keyedBy: 'owner',
    coordinates: ['NotificationFeed.unreadCount'],
    schema: contract(schemas.int),
  }),
  recommendations: resource<readonly string[]>({
    service: 'recommendations',
    name: 'for-user',
    keyedBy: 'owner',
    coordinates: ['Home.recommendations'],
    schema: ids,
  }),
} as const

export type ResourceName = keyof typeof RESOURCES
/** Entities fetched in batches by id (DataLoader). */
export type EntityResource = 'user' | 'product' | 'inventory' | 'review'
/** PUBLIC lists keyed by an entity id, one member per page variant. */
export type ListResource = 'followers' | 'productReviews'
/** PRIVATE entries keyed by their owner. */
export type OwnedResource = 'userOrders' | 'notificationFeed' | 'unreadCount' | 'recommendations'

/** The value type a resource caches. */
export type ValueOf<R extends ResourceName> = (typeof RESOURCES)[R] extends ResourceDef<infer T> ? T : never

/** Label used in counters, logs and docs: `<service>:<name>`. */
export const labelOf = (def: Pick<ResourceDef<unknown>, 'service' | 'name'>): string => `${def.service}:${def.name}`
