import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { compareEventIds, type LoggedEvent } from '../../../src/events/event-log.js'

export type SubscribedField = 'orderStatusChanged' | 'notificationAdded'

/** Does `field(userId)` deliver this logged event? (docs/subscriptions.md, "Fields") */
export function matches(field: SubscribedField, userId: string, { event }: LoggedEvent): boolean {
  if (field === 'orderStatusChanged') return (event.type === 'order.created' || event.type === 'order.status_changed') && event.userId === userId
  return event.type === 'notification.created' && event.userId === userId
}

export interface Subscriber {
  readonly field: SubscribedField
  readonly userId: string
  /** Event ids received, in order of arrival, duplicates included. */
  readonly received: readonly string[]
  /** Times it subscribed (1 + reconnections). */
  readonly subscriptions: number
  readonly lastId: string
  close(): void
}

/**
 * A subscriber as docs/subscriptions.md tells clients to write one: it keeps
 * the last eventId it saw and, whenever its subscription ends (1012 from an
 * instance shutting down, a dropped socket, an error), subscribes again
 * through the balancer with `after` set to it. The graphql-ws client's own
 * retry is off, since it would resend the original variables.
 */
export function startSubscriber(wsUrl: string, field: SubscribedField, userId: string, after: string): Subscriber {
  const received: string[] = []
  let lastId = after
  let subscriptions = 0
  let closed = false
  let client: Client | null = null

  const subscribe = (): void => {
    if (closed) return
    subscriptions += 1
    const current = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    client = current
    let ended = false
    const resubscribe = (): void => {
      if (ended) return
      ended = true
      disposeQuietly(current)
      // Spread reconnections out, as the graphql-ws client's own jittered retry does.
      if (!closed) setTimeout(subscribe, 50 + Math.random() * 250)
    }
    current.subscribe<Record<string, { eventId: string } | undefined>>(
      { query: `subscription($userId: ID!, $after: String) { ${field}(userId: $userId, after: $after) { eventId } }`, variables: { userId, after: lastId } },
      {
        next: ({ data, errors }) => {
          const eventId = data?.[field]?.eventId
          if (eventId === undefined) {
            // An error result (e.g. the event log briefly unreachable) ends the subscription: resume.
            if (errors !== undefined) resubscribe()
            return
          }
          received.push(eventId)
          if (compareEventIds(eventId, lastId) > 0) lastId = eventId
        },
        error: resubscribe,
        complete: resubscribe,
      },
    )
  }
  subscribe()

  return {
    field,
    userId,
    received,
    get subscriptions() {
      return subscriptions
    },
    get lastId() {
      return lastId
    },
    close() {
      closed = true
      if (client !== null) disposeQuietly(client)
    },
  }
}

/** Disposing a client whose socket already failed rejects with that failure, which is already handled. */
function disposeQuietly(client: Client): void {
  void Promise.resolve(client.dispose()).catch(() => undefined)
}
