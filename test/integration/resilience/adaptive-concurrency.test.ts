import { afterEach, describe, expect, it } from 'vitest'
import { SERVICE_NAMES } from '../../../src/config/services.js'
import { gql, mockStats, setFaults, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { inBatches, readiness, resilienceEnv } from './helpers.js'

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

const HOME = `query Home($userId: ID!) {
  home(userId: $userId) {
    user { id name }
    recentOrders { id items { quantity product { name price { formatted } } } }
    recommendations { name price { formatted } }
    notifications { unreadCount }
  }
}`
const NOTIFICATIONS = 'query N($userId: ID!) { home(userId: $userId) { notifications { unreadCount } } }'
const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name } }'

const codes = (answer: Awaited<ReturnType<typeof gql>>): string[] => (answer.body.errors ?? []).map((e) => e.extensions?.code ?? e.message)

async function allMocksAt(s: Stack, latencyMs: number): Promise<void> {
  await Promise.all(SERVICE_NAMES.map((name) => setFaults(s.mocks.urls[name], { latencyMs })))
}

describe('adaptive concurrency (the default)', () => {
  it('at saturation with healthy services, the defaults answer every query without an error, and readiness shows the limit', async () => {
    // The cache is off so every query fans out: the most calls per service the home screen can make.
    stack = await startStack({ env: resilienceEnv() })
    const s = stack
    await allMocksAt(s, 1)
    // 50 at once, as the benchmarks: each home query sends two catalog and two inventory batches, so
    // those services see up to 100 calls wanted at once: past the old fixed 25 running + 50 queued,
    // within the pool's 64 + 50 queued that the adaptive limit keeps while latency holds.
    const answers = await inBatches(500, 50, (i) => gql(s, HOME, { userId: String((i % 2_000) + 1) }))
    const failed = answers.filter((a) => a.status !== 200 || a.body.errors !== undefined)
    expect(failed.map(codes).slice(0, 5)).toEqual([])
    const { body } = await readiness(s)
    for (const name of SERVICE_NAMES) {
      const service = body.downstreams.services[name]
      expect(service).toMatchObject({ inFlight: 0, queued: 0 })
      // Within its bounds: the default minimum and the pool's 64 connections. How much headroom it kept
      // follows the latency it measured, which two shared cores running other tests do not hold normal:
      // that it holds while latency stays normal is proven on a fake clock (gradient-limit.test.ts).
      expect(service?.limit).toBeGreaterThanOrEqual(10)
      expect(service?.limit).toBeLessThanOrEqual(64)
    }
  }, 45_000)

  it('when one service slows from 1 ms to 500 ms, its calls in flight are cut toward the minimum while other services answer as before', async () => {
    stack = await startStack({ env: resilienceEnv({ DOWNSTREAM_CONCURRENCY_MIN_LIMIT: '8' }) })
    const s = stack
    await allMocksAt(s, 1)
    const slowUrl = s.mocks.urls.notifications
    // Learn the normal latency first: the long-run average is a plain mean over its first 10 windows
    // (>= 100 ms each), and a slowdown inside them would be learnt as normal. 2 s of traffic covers them.
    const learnUntil = performance.now() + 2_000
    await Promise.all(
      Array.from({ length: 40 }, async (_, worker) => {
        for (let n = 0; performance.now() < learnUntil; n++) await gql(s, NOTIFICATIONS, { userId: String(worker * 40 + (n % 40) + 1) })
      }),
    )
    await setFaults(slowUrl, { latencyMs: 500 })

    let stop = false
    const slowAnswers: string[][] = []
    const slowLoad = Promise.all(
      Array.from({ length: 60 }, async (_, worker) => {
        for (let n = 0; !stop; n++) slowAnswers.push(codes(await gql(s, NOTIFICATIONS, { userId: String(worker * 30 + (n % 30) + 1) })))
      }),
    )
    try {
      const slowHealth = async () => (await readiness(s)).body.downstreams.services['notifications'] ?? { limit: Number.NaN, inFlight: Number.NaN }
      // About a tenth per 500 ms round trip: from 64 to 20 takes some seconds.
      await waitFor(
        async () => {
          const { limit, inFlight } = await slowHealth()
          // Thrown rather than returned false, so a timeout says where the limit stood.
          if (limit > 20 || inFlight > limit) throw new Error(`limit ${limit}, in flight ${inFlight}`)
          return true
        },
        { timeoutMs: 25_000, intervalMs: 100, message: 'notifications limit cut to 20 or less' },
      )
      // Now the service sees no more than the cut limit, although 60 callers keep asking.
      let maxInFlight = 0
      for (let i = 0; i < 20; i++) maxInFlight = Math.max(maxInFlight, (await mockStats(slowUrl)).inFlight)
      expect(maxInFlight).toBeLessThanOrEqual(20)

      // Meanwhile another service answers at its own pace: every query served, none held behind the slow one.
      const others = await inBatches(100, 10, async (i) => {
        const startedAt = performance.now()
        const answer = await gql(s, PRODUCT, { id: String(i + 1) })
        return { answer, ms: performance.now() - startedAt }
      })
      expect(others.filter((o) => o.answer.body.errors !== undefined || o.answer.body.data?.['product'] === null)).toEqual([])
      const sorted = others.map((o) => o.ms).sort((a, b) => a - b)
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(250)
      const readyNow = await readiness(s)
      expect(readyNow.body.downstreams.services['catalog']).toMatchObject({ breaker: 'closed' })
      expect(readyNow.body.downstreams.services['catalog']?.limit).toBeGreaterThan(20)
      // Calls held back by our own limit are not the service's failures: its circuit stays closed.
      expect(readyNow.body.downstreams.services['notifications']).toMatchObject({ breaker: 'closed' })
    } finally {
      stop = true
      await slowLoad
    }
    expect(slowAnswers.length).toBeGreaterThan(60)
  }, 45_000)
})
