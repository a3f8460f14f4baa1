import { valueFromASTUntyped } from 'graphql'
import { ClientError, notFound } from '../../errors.js'
import { entityId, pageSize } from '../inputs.js'
import { reportFieldError } from '../partial-errors.js'
import { INVENTORY_FIELDS, selectedField, selectsAny } from '../selection.js'
import type { ProductView } from '../../data/product-views.js'
import type { HomeResolvers, QueryResolvers } from '../generated.js'

const DEFAULT_LATEST = 5
/** The bound NotificationFeed.latest checks its `first` against. */
export const LATEST_MAX = 50

export const homeQueries: Pick<QueryResolvers, 'home'> = {
  // No I/O here: each Home field is its own leg, and GraphQL runs them concurrently.
  // An omitted userId means the caller's own screen: today's clients that pass it keep working.
  home: (_root, { userId }, { viewer }) => {
    if (userId !== undefined && userId !== null) return { userId: entityId(userId, 'userId') }
    if (viewer.subject === null) throw new ClientError('UNAUTHENTICATED', 'Sign in for your own home screen, or name the user: home(userId: …).')
    return { userId: entityId(viewer.subject, 'userId') }
  },
}

export const Home: HomeResolvers = {
  user: async ({ userId }, _args, { data }) => {
    const user = await data.user(userId)
    if (user === null) throw notFound('User', userId)
    return user
  },
  recentOrders: async ({ userId }, { first }, { data }) =>
    (await data.ordersOfUser(userId, pageSize(first, 50), undefined)).items,
  recommendations: async ({ userId }, { first }, context, info) => {
    try {
      const ids = await context.data.recommendedProductIds(userId, pageSize(first, 50))
      const views = await context.data.productViews(ids, selectsAny(info, INVENTORY_FIELDS))
      // An unpriceable product is not shown (Product.price is non-null); dropping it here, with
      // one error entry, keeps an inventory outage from nulling the whole list.
      const unpriced = views.find((view) => view?.inventory?.ok === false)?.inventory
      if (unpriced !== undefined && !unpriced.ok) reportFieldError(context, info, unpriced.error)
      return views.filter((view): view is ProductView => view !== null && view.inventory?.ok !== false)
    } catch (error) {
      // Optional data: the screen renders without recommendations, and says why.
      reportFieldError(context, info, error)
      return []
    }
  },
  notifications: ({ userId }, _args, _context, info) => {
    const latest = selectedField(info, 'latest')
    if (latest === undefined) return { userId, latestFirst: null }
    const firstArg = latest.arguments?.find((arg) => arg.name.value === 'first')
    const first = firstArg === undefined ? DEFAULT_LATEST : valueFromASTUntyped(firstArg.value, info.variableValues)
    // Read here so unreadCount can come from the same feed call: checked here too, before it goes downstream.
    return { userId, latestFirst: typeof first === 'number' ? pageSize(first, LATEST_MAX) : DEFAULT_LATEST }
  },
}
