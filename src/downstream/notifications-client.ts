import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { notificationsPage, readResult, unreadCount, type NotificationDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { seg, validated, withQuery } from './validate.js'

export interface NotificationFeedDto {
  readonly notifications: readonly NotificationDto[]
  readonly unreadCount: number
}

export interface NotificationsClient {
  /** Newest first, with the unread count in the same answer. */
  feed(userId: string, first: number, ctx: CallContext): Observable<NotificationFeedDto>
  unreadCount(userId: string, ctx: CallContext): Observable<number>
  /** Not idempotent in what it reports: never retried. */
  markRead(ids: readonly string[], ctx: CallContext): Observable<number>
}

export function createNotificationsClient(caller: ServiceCaller): NotificationsClient {
  const service = caller.service
  return {
    feed: (userId, first, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/notifications`, { first }) }, ctx)
        .pipe(validated(service, notificationsPage)),
    unreadCount: (userId, ctx) =>
      caller
        .call({ method: 'GET', path: `/users/${seg(userId)}/notifications/unread-count` }, ctx)
        .pipe(validated(service, unreadCount, (body) => body.unreadCount)),
    markRead: (ids, ctx) =>
      caller
        .call({ method: 'POST', path: '/notifications/read', body: { ids } }, ctx)
        .pipe(validated(service, readResult, (body) => body.updated)),
  }
}
