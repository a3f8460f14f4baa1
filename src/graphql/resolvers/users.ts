import { cursor, entityId, pageSize } from '../inputs.js'
import type { QueryResolvers, UserResolvers } from '../generated.js'
import { connection } from './connection.js'

export const userQueries: Pick<QueryResolvers, 'user'> = {
  user: (_root, { id }, { data }) => data.user(entityId(id)),
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
