import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { followersPage, usersBatch, type UserDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { seg, validated, withQuery } from './validate.js'

export interface UsersClient {
  /** One batch call; unknown ids are absent from the answer. */
  usersByIds(ids: readonly string[], ctx: CallContext): Observable<readonly UserDto[]>
  /** Follower ids, newest first. */
  followerIds(userId: string, first: number, ctx: CallContext): Observable<readonly string[]>
}

export function createUsersClient(caller: ServiceCaller): UsersClient {
  const service = caller.service
  return {
    usersByIds: (ids, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery('/users', { ids: ids.join(',') }) }, ctx)
        .pipe(validated(service, usersBatch, (body) => body.users)),
    followerIds: (userId, first, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/followers`, { first }) }, ctx)
        .pipe(validated(service, followersPage, (body) => body.userIds)),
  }
}
