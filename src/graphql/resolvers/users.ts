import { cursor, entityId, pageSize } from '../inputs.js'
import type { QueryResolvers, UserResolvers } from '../generated.js'
import { connection } from './connection.js'

/** A subject that is no user id (a service's token, `event-generator`) has no profile. */
const USER_ID = /^\d{1,20}$/

export const userQueries: Pick<QueryResolvers, 'user' | 'me'> = {
  user: (_root, { id }, { data }) => data.user(entityId(id)),
  me: (_root, _args, { viewer, data }) => (viewer.subject !== null && USER_ID.test(viewer.subject) ? data.user(viewer.subject) : null),
}

export const User: UserResolvers = {
  followers: async (user, { first }, { data }) => {
    const ids = await data.followerIds(user.id, pageSize(first, 100))
    const followers = await data.users(ids)
    return followers.filter((follower) => follower !== null)
  },
  orders: async (user, { first, after }, { data }) =>
    connection(await data.ordersOfUser(user.id, pageSize(first, 100), cursor(after))),
}
