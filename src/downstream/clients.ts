import type { ServiceName } from '../config/services.js'
import { createCatalogClient, type CatalogClient } from './catalog-client.js'
import { createInventoryClient, type InventoryClient } from './inventory-client.js'
import { createNotificationsClient, type NotificationsClient } from './notifications-client.js'
import { createOrdersClient, type OrdersClient } from './orders-client.js'
import { createRecommendationsClient, type RecommendationsClient } from './recommendations-client.js'
import { createReviewsClient, type ReviewsClient } from './reviews-client.js'
import type { ServiceCaller } from './service-caller.js'
import { createUsersClient, type UsersClient } from './users-client.js'

/** One typed client per downstream service: the only way the BFF reaches them. */
export interface DownstreamClients {
  readonly users: UsersClient
  readonly catalog: CatalogClient
  readonly inventory: InventoryClient
  readonly orders: OrdersClient
  readonly reviews: ReviewsClient
  readonly notifications: NotificationsClient
  readonly recommendations: RecommendationsClient
}

export function createDownstreamClients(callers: Readonly<Record<ServiceName, ServiceCaller>>): DownstreamClients {
  return {
    users: createUsersClient(callers.users),
    catalog: createCatalogClient(callers.catalog),
    inventory: createInventoryClient(callers.inventory),
    orders: createOrdersClient(callers.orders),
    reviews: createReviewsClient(callers.reviews),
    notifications: createNotificationsClient(callers.notifications),
    recommendations: createRecommendationsClient(callers.recommendations),
  }
}
