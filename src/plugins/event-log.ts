import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Observable } from 'rxjs'
import type { EventLog, LoggedEvent } from '../events/event-log.js'
import { tailEvents } from '../events/event-tail.js'
import { createMemoryEventLog } from '../events/memory-event-log.js'
import { createRedisStreamEventLog, type RedisStreamEventLogOptions } from '../events/redis-stream-event-log.js'

export interface EventLogPluginOptions {
  /**
   * The log to read. In the embedded default (`npm start`) the mocks and the
   * BFF share one in-process log; tests inject theirs. @default a new in-process log
   */
  readonly eventLog?: undefined | EventLog
  /**
   * Read the Redis Streams log on this server instead (config.redis.url set);
   * ignored when `eventLog` is given. @default undefined (in-process log)
   */
  readonly redis?: undefined | Omit<RedisStreamEventLogOptions, 'log'>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The domain event log every BFF instance reads. */
    eventLog: EventLog
    /** Hot stream of events appended after start-up (cache invalidation, subscriptions). */
    domainEvents: Observable<LoggedEvent>
    /**
     * Whether the services append to the log this instance reads (Redis
     * Streams, or a log the embedding process shares with them), so their
     * changes reach the cache as invalidations; false for a log of our own.
     */
    eventLogShared: boolean
  }
}

async function eventLogPlugin(app: FastifyInstance, options: EventLogPluginOptions): Promise<void> {
  const owned = options.eventLog === undefined
  const eventLog =
    options.eventLog ??
    (options.redis === undefined
      ? createMemoryEventLog()
      : createRedisStreamEventLog({ ...options.redis, log: app.log.child({ component: 'event-log' }) }))
  app.decorate('eventLog', eventLog)
  app.decorate('eventLogShared', !owned || options.redis !== undefined)
  app.decorate('domainEvents', tailEvents(eventLog, { log: app.log.child({ component: 'event-tail' }) }))
  app.addHook('onClose', async () => {
    if (owned) await eventLog.close()
  })
}

export default fp(eventLogPlugin, { name: 'event-log' })
