import type { CallContext } from './call-context.js'
import { followersPage, usersBatch, type UserDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { seg, withQuery } from './paths.js'

export interface UsersClient {
  /** One batch call; unknown ids are absent from the answer. */
  usersByIds(ids: readonly string[], ctx: CallContext): Promise<readonly UserDto[]>
  /** Follower ids, newest first. */
  followerIds(userId: string, first: number, ctx: CallContext): Promise<readonly string[]>
}

export function createUsersClient(caller: ServiceCaller): UsersClient {
  const service = caller.service
  return {
    usersByIds: async (ids, ctx) =>
      checked(service, usersBatch, await caller.call({ method: 'GET', path: withQuery('/users', { ids: ids.join(',') }) }, ctx)).users,
    followerIds: async (userId, first, ctx) =>
      checked(service, followersPage, await caller.call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/followers`, { first }) }, ctx))
        .userIds,
  }
}
