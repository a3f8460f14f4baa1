import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, testClient, type RedisServer } from '../../helpers/redis-server.js'
import { startStack, type Stack } from '../../helpers/stack.js'

/**
 * The accuracy of the shared bucket (docs/benchmarks.md, "Edge: rate limits
 * and cost"): two instances on one Redis, one caller sending five times its
 * rate for 10 s across both, a second caller at half its rate beside it.
 * Every request costs 1 point (`{ __typename }`), so points admitted are
 * requests answered 200. The time is the bucket's own: from its first charge
 * to its last admitted one, as Redis recorded them (`at`, server time), so
 * queueing in a loaded test process does not count against the limiter; the
 * load generator's own window is printed beside it.
 */
const BURST = 40
const RATE = 20
const SECONDS = 10

describe('rate limit accuracy across two instances on one Redis', () => {
  let redis: RedisServer
  let stacks: Stack[]
  const agent = new Agent({ connections: 64 })
  beforeAll(async () => {
    redis = await startRedisServer()
    const env = {
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_BURST: String(BURST),
      RATE_LIMIT_POINTS_PER_SECOND: String(RATE),
      // As a deployment of two would say: a charge Redis did not answer in time is one instance's half.
      RATE_LIMIT_INSTANCES_HINT: '2',
      // What is measured is the shared bucket: on two cores shared with other test files a reply can
      // wait past the 50 ms default in a busy event loop, and those charges fall back (counted below).
      RATE_LIMIT_REDIS_TIMEOUT_MS: '1000',
      TRUST_PROXY: '127.0.0.1',
    }
    stacks = await Promise.all([startStack(env), startStack(env)])
  })
  afterAll(async () => {
    await agent.close()
    await Promise.all(stacks.map((stack) => stack.close()))
    await redis.stop()
  })

  /** Sends `perSecond` requests a second as `caller`, alternating instances, without waiting for answers; statuses and send times. */
  async function paced(caller: string, perSecond: number, durationMs: number, query = '{ __typename }'): Promise<{ statuses: number[]; firstMs: number; lastMs: number }> {
    const answers: Promise<number>[] = []
    const started = performance.now()
    let firstMs = Number.NaN
    let lastMs = Number.NaN
    for (let i = 0; ; i += 1) {
      const due = started + (i * 1_000) / perSecond
      if (due - started >= durationMs) break
      const wait = due - performance.now()
      // Pacing an open-loop load generator: the send times are the point, not synchronisation.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const sentAt = performance.now()
      if (i === 0) firstMs = sentAt
      lastMs = sentAt
      const stack = stacks[i % 2] as Stack
      answers.push(
        request(`${stack.bffUrl}/graphql`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': caller },
          body: JSON.stringify({ query }),
        }).then(async (response) => {
          await response.body.dump()
          return response.statusCode
        }),
      )
    }
    return { statuses: await Promise.all(answers), firstMs, lastMs }
  }

  it('admits burst + rate × time within 5 % for a caller at 5× its rate, and leaves a second caller alone', async () => {
    const redisClient = testClient(redis)
    const chargedAt = async (): Promise<number> => Number(await redisClient.hget('bff:rl:ip:203.0.113.50', 'at'))
    // The opening charge empties the bucket (40 ids: 40 points, refused or not by the field's own id bound, charged
    // all the same), so the refill from then on is all counted: a full bucket would cap what refills before the load starts.
    const opening = await paced('203.0.113.50', 1, 1, `{ products(ids: [${Array.from({ length: BURST }, (_, i) => `"${i + 1}"`).join(', ')}]) { id } }`)
    const firstChargeMs = await chargedAt()
    const [greedy, modest] = await Promise.all([paced('203.0.113.50', 5 * RATE, SECONDS * 1_000), paced('203.0.113.51', RATE / 2, SECONDS * 1_000)])
    const lastChargeMs = await chargedAt()
    redisClient.disconnect()
    expect(opening.statuses).toEqual([200])
    const admitted = BURST + greedy.statuses.filter((status) => status === 200).length
    const elapsedS = (lastChargeMs - firstChargeMs) / 1_000
    const expected = BURST + RATE * elapsedS
    const error = (admitted - expected) / expected
    const sendWindowS = (greedy.lastMs - opening.firstMs) / 1_000
    const fallbacks = await Promise.all(
      stacks.map(async (stack) => ((await (await request(`${stack.bffUrl}/health/ready`)).body.json()) as { rateLimit: { failures: number } }).rateLimit.failures),
    )
    console.info(
      `edge accuracy: Redis failures seen ${fallbacks.join(' + ')}; ` +
      `sent ${greedy.statuses.length + 1} over ${sendWindowS.toFixed(2)} s, charged over ${elapsedS.toFixed(2)} s (Redis time), admitted ${admitted}, expected ${expected.toFixed(1)} ` +
        `(error ${(error * 100).toFixed(2)} %); second caller ${modest.statuses.filter((s) => s === 200).length}/${modest.statuses.length} admitted`,
    )
    expect(greedy.statuses.every((status) => status === 200 || status === 429)).toBe(true)
    expect(Math.abs(error)).toBeLessThanOrEqual(0.05)
    expect(modest.statuses.every((status) => status === 200)).toBe(true)
  }, 30_000)
})
