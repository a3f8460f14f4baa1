import type { CallContext } from './call-context.js'
import { notificationsPage, readResult, unreadCount, type NotificationDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { seg, withQuery } from './paths.js'

export interface NotificationFeedDto {
  readonly notifications: readonly NotificationDto[]
  readonly unreadCount: number
}

export interface NotificationsClient {
  /** Newest first, with the unread count in the same answer. */
  feed(userId: string, first: number, ctx: CallContext): Promise<NotificationFeedDto>
  unreadCount(userId: string, ctx: CallContext): Promise<number>
  /** Not idempotent in what it reports: never retried. */
  markRead(ids: readonly string[], ctx: CallContext): Promise<number>
}

export function createNotificationsClient(caller: ServiceCaller): NotificationsClient {
  const service = caller.service
  return {
    feed: async (userId, first, ctx) =>
      checked(service, notificationsPage, await caller.call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/notifications`, { first }) }, ctx)),
    unreadCount: async (userId, ctx) =>
      checked(service, unreadCount, await caller.call({ method: 'GET', path: `/users/${seg(userId)}/notifications/unread-count` }, ctx)).unreadCount,
    markRead: async (ids, ctx) =>
      checked(service, readResult, await caller.call({ method: 'POST', path: '/notifications/read', body: { ids } }, ctx)).updated,
  }
}
