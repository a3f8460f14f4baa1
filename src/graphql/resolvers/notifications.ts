import { idList, pageSize } from '../inputs.js'
import { LATEST_MAX } from './home.js'
import type { MutationResolvers, NotificationFeedResolvers } from '../generated.js'

export const notificationMutations: Pick<MutationResolvers, 'markNotificationsRead'> = {
  markNotificationsRead: (_root, { ids }, { data }) => data.markNotificationsRead(idList(ids, 500)),
}

export const NotificationFeed: NotificationFeedResolvers = {
  // One call serves both fields when `latest` is selected too (the feed carries the count).
  unreadCount: async (feed, _args, { data }) =>
    feed.latestFirst === null
      ? data.unreadCount(feed.userId)
      : (await data.notificationFeed(feed.userId, feed.latestFirst)).unreadCount,
  latest: async (feed, { first }, { data }) =>
    (await data.notificationFeed(feed.userId, pageSize(first, LATEST_MAX))).notifications,
}
