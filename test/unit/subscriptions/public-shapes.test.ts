import type { FastifyInstance } from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import type { AppOptions } from '../../../src/app.js'
import type { Config } from '../../../src/config/load-config.js'
import type { Subscriptions } from '../../../src/plugins/subscriptions.js'
import type { EventLog } from '../../../src/events/event-log.js'
import type { SubscriptionStatsSnapshot } from '../../../src/subscriptions/subscription-stats.js'
import type { AuthorizeConnection, ConnectionInit, ConnectionVerdict } from '../../../src/subscriptions/ws-handler.js'

describe('subscription public shapes', () => {
  it('decorates the app with the websocket handler and counters', () => {
    expectTypeOf<FastifyInstance['subscriptions']>().toEqualTypeOf<Subscriptions>()
    expectTypeOf<Subscriptions['stats']>().returns.toEqualTypeOf<SubscriptionStatsSnapshot>()
    expectTypeOf<FastifyInstance['eventLog']>().toEqualTypeOf<EventLog>()
  })

  it('takes the auth hook as an app option that sees the init payload and the upgrade request', () => {
    expectTypeOf<AppOptions['authorizeSubscription']>().toEqualTypeOf<undefined | AuthorizeConnection>()
    expectTypeOf<ConnectionInit['payload']>().toEqualTypeOf<Readonly<Record<string, unknown>> | undefined>()
    expectTypeOf<ReturnType<AuthorizeConnection>>().toEqualTypeOf<ConnectionVerdict | Promise<ConnectionVerdict>>()
    expectTypeOf<boolean>().toExtend<ConnectionVerdict>()
  })

  it('exposes its settings as a frozen sub-object of Config', () => {
    expectTypeOf<Config['subscriptions']['keepAliveMs']>().toEqualTypeOf<number>()
    expectTypeOf<Config['subscriptions']['eventLog']>().toEqualTypeOf<{ readonly streamKey: string; readonly maxLen: number }>()
  })
})
