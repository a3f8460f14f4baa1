import type { Resolvers } from '../generated.js'
import { catalogQueries, Product, ProductEdge } from './catalog.js'
import { eventResolvers } from './events.js'
import { Home, homeQueries } from './home.js'
import { Money } from './money.js'
import { NotificationFeed, notificationMutations } from './notifications.js'
import { Order, OrderItem, orderMutations, orderQueries } from './orders.js'
import { Review, reviewMutations } from './reviews.js'
import { User, userQueries } from './users.js'

/** All resolvers, thin by design: each asks `context.data` and shapes the answer. */
export function createResolvers(): Resolvers {
  return {
    Query: { ...homeQueries, ...userQueries, ...catalogQueries, ...orderQueries },
    Mutation: { ...orderMutations, ...reviewMutations, ...notificationMutations },
    Home,
    User,
    Product,
    ProductEdge,
    Order,
    OrderItem,
    Review,
    NotificationFeed,
    Money,
    ...eventResolvers,
  }
}
