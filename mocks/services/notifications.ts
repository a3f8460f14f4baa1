import type { FastifyInstance } from 'fastify'
import { addNotification, markNotificationsRead } from '../world/mutations.js'
import type { NotificationKind } from '../world/types.js'
import { createAccessRules, type Caller } from './access-rules.js'
import { badRequest, notFound } from './http-errors.js'
import { bodyObject, isId, MAX_BATCH_IDS, onlyKeys, parseFirst, parseId, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

const KINDS: ReadonlySet<unknown> = new Set<NotificationKind>(['ORDER', 'SOCIAL', 'PROMOTION'])
/** Longest accepted notification message, in characters. */
const MAX_MESSAGE_LENGTH = 500

/** notifications (4006): per-user notifications, read marks, and creation (used by the event generator); all per-user data (owner or `admin`). */
export function createNotificationsService(options: ServiceOptions): FastifyInstance {
  const { world, eventLog } = options
  const access = createAccessRules(options.identity)

  /** The path's user, once the caller may act for them; ownership is checked before existence. */
  function ownedUserOr404(caller: Caller, raw: string): string {
    const userId = parseId(raw, 'userId')
    access.requireOwner(caller, [userId])
    if (!world.users.has(userId)) throw notFound(`user ${userId} not found`)
    return userId
  }

  return createServiceApp(
    {
      name: 'notifications',
      routes(app) {
        app.get<{ Params: { userId: string }; Querystring: Query }>('/users/:userId/notifications', async (request) => {
          const userId = ownedUserOr404(await access.authenticate(request), request.params.userId)
          const first = parseFirst(request.query, 10)
          const list = world.notificationsByUser.get(userId) ?? []
          return { notifications: list.slice(-first).reverse(), unreadCount: world.unreadByUser.get(userId) ?? 0 }
        })

        app.get<{ Params: { userId: string } }>('/users/:userId/notifications/unread-count', async (request) => {
          const userId = ownedUserOr404(await access.authenticate(request), request.params.userId)
          return { unreadCount: world.unreadByUser.get(userId) ?? 0 }
        })

        app.post('/notifications/read', async (request) => {
          const caller = await access.authenticate(request)
          const body = bodyObject(request.body)
          onlyKeys(body, ['ids'])
          const ids = body['ids']
          if (!Array.isArray(ids) || ids.length > MAX_BATCH_IDS || !ids.every(isId)) {
            throw badRequest(`ids must be an array of at most ${MAX_BATCH_IDS} positive decimal ids`)
          }
          // Unknown ids have no owner and are ignored below, as without identity; one foreign id refuses the whole batch.
          access.requireOwner(caller, ids.flatMap((id) => world.notifications.get(id)?.userId ?? []))
          const changed = markNotificationsRead(world, ids)
          let updated = 0
          for (const [userId, notificationIds] of changed) {
            updated += notificationIds.length
            await eventLog.append({ type: 'notification.read', userId, notificationIds })
          }
          return { updated }
        })

        app.post<{ Params: { userId: string } }>('/users/:userId/notifications', async (request, reply) => {
          const userId = ownedUserOr404(await access.authenticate(request), request.params.userId)
          const body = bodyObject(request.body)
          onlyKeys(body, ['kind', 'message'])
          const { kind, message } = body
          if (!KINDS.has(kind)) throw badRequest('kind must be ORDER, SOCIAL or PROMOTION')
          if (typeof message !== 'string' || message.length < 1 || message.length > MAX_MESSAGE_LENGTH) {
            throw badRequest(`message must be a string of 1..${MAX_MESSAGE_LENGTH} characters`)
          }
          // kind was checked against KINDS just above.
          const notification = addNotification(world, userId, kind as NotificationKind, message)
          if (notification === undefined) throw notFound(`user ${userId} not found`)
          await eventLog.append({ type: 'notification.created', notificationId: notification.id, userId }, { traceparent: request.headers.traceparent })
          return reply.code(201).send(notification)
        })
      },
    },
    options,
  )
}
