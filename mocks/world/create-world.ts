import { createPrng, DEFAULT_SEED } from './prng.js'
import type { World } from './types.js'
import { generateCatalog } from './generate-catalog.js'
import { generateFollowers, generateRecommendations, generateUsers } from './generate-people.js'
import { generateNotifications, generateOrders, generateReviews } from './generate-activity.js'

/** How many records the seeded world holds. */
export const WORLD_SIZES = Object.freeze({ users: 2_000, products: 5_000 })

/**
 * Builds a fresh seeded world. Every call returns new, unshared state with
 * identical contents, so each test (or each `startMocks`) mutates its own copy.
 * Generation order is part of the seed contract: reordering the steps below
 * changes every value after the change.
 */
export function createWorld(): World {
  const seed = DEFAULT_SEED
  const prng = createPrng(seed)
  const users = generateUsers(prng, WORLD_SIZES.users)
  const followers = generateFollowers(prng, WORLD_SIZES.users)
  const { products, productList, inventory } = generateCatalog(prng, WORLD_SIZES.products)
  const { orders, ordersByUser, nextOrderId } = generateOrders(prng, WORLD_SIZES.users, inventory)
  const { reviews, reviewsByProduct } = generateReviews(prng, WORLD_SIZES.products, WORLD_SIZES.users)
  const { notifications, notificationsByUser, unreadByUser, nextNotificationId } = generateNotifications(prng, WORLD_SIZES.users)
  const recommendations = generateRecommendations(prng, WORLD_SIZES.users, WORLD_SIZES.products)
  return {
    seed,
    users,
    followers,
    products,
    productList,
    inventory,
    orders,
    ordersByUser,
    reviews,
    reviewsByProduct,
    notifications,
    notificationsByUser,
    unreadByUser,
    recommendations,
    sequences: { nextOrderId, nextNotificationId },
  }
}
