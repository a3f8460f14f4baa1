import { request } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTopology, type Topology } from '../../../scripts/scaled/topology.js'
import { compareEventIds, type EventLog, type LoggedEvent } from '../../../src/events/event-log.js'
import { createRedisStreamEventLog } from '../../../src/events/redis-stream-event-log.js'
import { ensureBuilt } from '../../helpers/built-dist.js'
import { waitFor } from '../../helpers/wait-for.js'
import { startHomeLoad } from './paced-home-load.js'
import { matches, startSubscriber, type SubscribedField, type Subscriber } from './resuming-subscribers.js'

const SUBSCRIBERS = 200
const HOME_QUERIES_PER_SECOND = 15
/** The suite runs beside this on two shared cores: room for a slow machine, still a bound. */
const SCENARIO_TIMEOUT_MS = 180_000
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

/**
 * The deployed topology on one machine (npm run start:scaled): HAProxy with
 * deploy/haproxy/haproxy.cfg in front of two BFF processes, the mocks and the
 * event generator in their own process, a redis-server with an append-only
 * file. Under a steady load of home queries and 200 websocket subscribers
 * that resume with `after`, as docs/subscriptions.md tells clients to:
 * a rolling restart, a crash, and a Redis restart.
 */
describe('two BFF instances behind HAProxy', () => {
  let topology: Topology
  let log: EventLog
  let startId = '0-0'
  const subscribers: Subscriber[] = []

  /** Subscriptions open on the running instances, by instance, from their own readiness. */
  async function subscriptionsByInstance(): Promise<number[]> {
    return Promise.all(
      topology.instances.map(async (slot) => {
        if (slot.child === null) return 0
        const response = await request(`http://127.0.0.1:${slot.port}/health/ready`)
        const body = (await response.body.json()) as { subscriptions?: { subscriptions?: number } }
        return body.subscriptions?.subscriptions ?? 0
      }),
    )
  }
  const allSubscribed = async (): Promise<boolean> => (await subscriptionsByInstance()).reduce((a, b) => a + b, 0) === SUBSCRIBERS

  async function loggedSince(after: string, until: string): Promise<LoggedEvent[]> {
    const events: LoggedEvent[] = []
    for (let from = after; ; ) {
      const page = await log.read(from, { limit: 1_000 })
      for (const entry of page) if (compareEventIds(entry.id, until) <= 0) events.push(entry)
      const last = page.at(-1)
      if (last === undefined || compareEventIds(last.id, until) >= 0) return events
      from = last.id
    }
  }

  /**
   * Counted against the event log: every subscriber has received every event
   * of its field for its user since it first subscribed, once and in order,
   * whatever instance it was on.
   */
  async function expectEveryEventExactlyOnce(): Promise<void> {
    const endId = await log.lastId()
    const events = await loggedSince(startId, endId)
    const expected = subscribers.map((subscriber) => events.filter((event) => matches(subscriber.field, subscriber.userId, event)).map((event) => event.id))
    expect(expected.flat().length).toBeGreaterThan(0)
    await waitFor(
      () =>
        subscribers.every((subscriber, index) => {
          const last = expected[index]?.at(-1)
          return last === undefined || compareEventIds(subscriber.lastId, last) >= 0
        }),
      { timeoutMs: 60_000, message: 'every subscriber to have caught up with the log' },
    )
    const wrong = subscribers.flatMap((subscriber, index) => {
      const got = subscriber.received.filter((id) => compareEventIds(id, endId) <= 0)
      const want = expected[index] ?? []
      return JSON.stringify(got) === JSON.stringify(want)
        ? []
        : [{ subscriber: `${subscriber.field}(${subscriber.userId})`, missing: want.filter((id) => !got.includes(id)), extra: got.length - new Set(got).size }]
    })
    expect(wrong).toEqual([])
  }

  beforeAll(async () => {
    await ensureBuilt()
    topology = await startTopology({
      instances: 2,
      bind: '127.0.0.1:0',
      redisUrl: null,
      eventsIntervalMs: 100,
      // Two shared cores under the whole suite: generous call limits, as test/helpers/stack.ts.
      bffEnv: { DOWNSTREAM_TIMEOUT_MS: '5000', RECOMMENDATIONS_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '10000', RATE_LIMIT_ENABLED: 'false' },
    })
    log = createRedisStreamEventLog({ url: topology.redisUrl, log: quiet })
    await waitFor(async () => (await log.lastId()) !== '0-0', { message: 'the event generator to publish' })
    startId = await log.lastId()
    const wsUrl = `${topology.url.replace(/^http/, 'ws')}/graphql`
    const fields: readonly SubscribedField[] = ['orderStatusChanged', 'notificationAdded']
    for (let i = 0; i < SUBSCRIBERS; i += 1) subscribers.push(startSubscriber(wsUrl, fields[i % 2] ?? 'orderStatusChanged', String((Math.floor(i / 2) % 20) + 1), startId))
    await waitFor(allSubscribed, { timeoutMs: 60_000, message: `${SUBSCRIBERS} subscriptions open` })
  }, 240_000)

  // Each scenario starts from the whole topology up and every subscriber subscribed, whatever the previous one left.
  beforeEach(async () => {
    for (const [index, slot] of topology.instances.entries()) if (slot.child === null) await topology.startInstance(index)
    await waitFor(allSubscribed, { timeoutMs: 60_000, message: `${SUBSCRIBERS} subscriptions open` })
  }, SCENARIO_TIMEOUT_MS)

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close()
    await log?.close()
    await topology?.stop()
  }, 60_000)

  it('spreads the subscribers over both instances (least connections)', async () => {
    const byInstance = await subscriptionsByInstance()
    expect(byInstance.every((count) => count > SUBSCRIBERS / 4)).toBe(true)
  })

  it('rolling restart (SIGTERM one, start it again, then the other): no failed request, every event exactly once', async () => {
    const load = startHomeLoad(topology.url, HOME_QUERIES_PER_SECOND)
    for (const index of [0, 1]) {
      const child = topology.instances[index]?.child
      expect(await topology.stopInstance(index, 'SIGTERM'), child?.stderr()).toBe(0)
      await topology.startInstance(index)
    }
    await waitFor(allSubscribed, { timeoutMs: 60_000, message: 'every subscriber back' })
    const result = await load.stop()
    expect(result.failed).toEqual([])
    expect(Object.keys(result.servedBy)).toEqual(expect.arrayContaining(['bff1', 'bff2']))
    expect(subscribers.every((subscriber) => subscriber.subscriptions >= 2)).toBe(true)
    await expectEveryEventExactlyOnce()
  }, SCENARIO_TIMEOUT_MS)

  it('crash (SIGKILL one): failures at most the requests in flight at that moment; subscribers reconnect and lose nothing', async () => {
    const load = startHomeLoad(topology.url, HOME_QUERIES_PER_SECOND)
    await waitFor(() => load.inFlight() > 0, { message: 'requests in flight' })
    const inFlightAtKill = load.inFlight()
    const killedAt = Date.now()
    expect(await topology.stopInstance(0, 'SIGKILL')).toBeNull()
    await waitFor(async () => (await subscriptionsByInstance())[1] === SUBSCRIBERS, { timeoutMs: 60_000, message: 'every subscriber on the survivor' })
    await topology.startInstance(0)
    const result = await load.stop()
    expect(result.failed.length, JSON.stringify(result.failed.slice(0, 5).map((f) => ({ ...f, afterKillMs: f.startedAt - killedAt }))) + topology.balancerLog()).toBeLessThanOrEqual(inFlightAtKill)
    expect(result.failed.every((failure) => failure.startedAt <= killedAt)).toBe(true)
    await expectEveryEventExactlyOnce()
  }, SCENARIO_TIMEOUT_MS)

  it('Redis restarted (append-only file): no failed query, no event lost', async () => {
    const load = startHomeLoad(topology.url, HOME_QUERIES_PER_SECOND)
    const before = await log.lastId()
    await topology.restartRedis()
    // Events published after the restart reach the subscribers through the instances' resumed read loops.
    await waitFor(async () => compareEventIds(await log.lastId(), before) > 0, { timeoutMs: 10_000, message: 'new events after the restart' })
    const result = await load.stop()
    expect(result.failed).toEqual([])
    await expectEveryEventExactlyOnce()
  }, SCENARIO_TIMEOUT_MS)
})
