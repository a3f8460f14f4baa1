import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HOME_EXAMPLE } from '../../../src/graphiql/examples.js'
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js'
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js'
import { gql, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } })
const home = (stack: Stack, address: string) => gql(stack, HOME_EXAMPLE.query, undefined, from(address))

/**
 * Two BFF instances on one store: a caller's bucket of 40 points (two home queries), refilled 1 point
 * a second. Test files run side by side on two shared cores, where a reply can wait past the 50 ms
 * default in a busy event loop and the charge falls back to the instance's own bucket: tests about
 * sharing give Redis a second, the outage tests keep the default.
 */
async function twoInstances(storeEnv: Record<string, string>, extra: Record<string, string> = {}): Promise<[Stack, Stack]> {
  const env = {
    ...storeEnv,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_BURST: '40',
    RATE_LIMIT_POINTS_PER_SECOND: '1',
    TRUST_PROXY: '127.0.0.1',
    RATE_LIMIT_REDIS_TIMEOUT_MS: '1000',
    ...extra,
  }
  return Promise.all([startStack(env), startStack(env)])
}

async function rateLimitReadiness(stack: Stack): Promise<{ degraded: boolean; store: string }> {
  const response = await request(`${stack.bffUrl}/health/ready`)
  const body = (await response.body.json()) as { rateLimit: { degraded: boolean; store: string } }
  return body.rateLimit
}

/** One caller is charged on both instances; another caller is untouched by it. */
async function expectSharedBucket([one, two]: readonly [Stack, Stack], caller: string, bystander: string): Promise<void> {
  expect((await home(one, caller)).status).toBe(200)
  const second = await home(two, caller)
  expect(second.status).toBe(200)
  // Had the second instance a bucket of its own, 20 points would be left; shared, what refilled meanwhile (1 a second).
  const { currentlyAvailable } = (second.body as { extensions: { cost: { throttleStatus: { currentlyAvailable: number } } } }).extensions.cost.throttleStatus
  expect(currentlyAvailable).toBeLessThan(5)
  const refused = await home(one, caller)
  expect(refused.status).toBe(429)
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(15)
  expect((await home(two, bystander)).status).toBe(200)
}

describe('buckets shared through one Redis', () => {
  let redis: RedisServer
  let stacks: [Stack, Stack]
  beforeAll(async () => {
    redis = await startRedisServer()
    stacks = await twoInstances({ REDIS_URL: redis.url })
  })
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()))
    await redis.stop()
  })

  it("two instances charge one caller's bucket; a second caller keeps its own", async () => {
    expect(await rateLimitReadiness(stacks[0])).toMatchObject({ store: 'redis', degraded: false })
    await expectSharedBucket(stacks, '192.0.2.1', '192.0.2.2')
  })
})

describe('Redis killed and frozen under load', () => {
  let redis: RedisServer
  let stacks: [Stack, Stack]
  beforeAll(async () => {
    redis = await startRedisServer()
    // A bucket no caller here reaches: the point is that no request fails or waits while Redis is gone.
    stacks = await twoInstances({ REDIS_URL: redis.url }, {
      RATE_LIMIT_BURST: '1000000',
      RATE_LIMIT_POINTS_PER_SECOND: '1000000',
      RATE_LIMIT_INSTANCES_HINT: '2',
      RATE_LIMIT_REDIS_TIMEOUT_MS: '50',
    })
  })
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()))
    await redis.stop()
  })

  /** Four callers send home queries back to back, alternating instances, until `during` settles; every answer's status. */
  async function load(during: Promise<void>): Promise<number[]> {
    const statuses: number[] = []
    let done = false
    const finished = during.finally(() => {
      done = true
    })
    await Promise.all(
      ['198.51.100.10', '198.51.100.11', '198.51.100.12', '198.51.100.13'].map(async (caller, index) => {
        for (let i = index; !done; i += 1) statuses.push((await home(stacks[i % 2] as Stack, caller)).status)
      }),
    )
    await finished
    return statuses
  }

  it.each([
    ['killed (SIGKILL)', () => redis.kill(), () => redis.restart()],
    ['frozen (SIGSTOP)', async () => redis.freeze(), async () => redis.resume()],
  ] as const)('%s: every request is served from the fallback, readiness says degraded, then Redis is used again', async (_name, breakIt, repair) => {
    const statuses = await load(
      (async () => {
        await breakIt()
        await waitFor(async () => (await rateLimitReadiness(stacks[0])).degraded && (await rateLimitReadiness(stacks[1])).degraded, {
          timeoutMs: 10_000,
          message: 'both instances degraded',
        })
        await repair()
        await waitFor(async () => !(await rateLimitReadiness(stacks[0])).degraded && !(await rateLimitReadiness(stacks[1])).degraded, {
          timeoutMs: 15_000,
          message: 'both instances back on Redis',
        })
      })(),
    )
    expect(statuses.length).toBeGreaterThan(8)
    expect(statuses.filter((status) => status !== 200)).toEqual([])
  })
})

describe('buckets shared through a Redis Cluster', () => {
  let cluster: RedisCluster
  let stacks: [Stack, Stack]
  beforeAll(async () => {
    cluster = await startRedisCluster()
    stacks = await twoInstances({ REDIS_CLUSTER_NODES: cluster.nodes })
  }, 60_000)
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()))
    await cluster.stop()
  })

  it("two instances charge one caller's bucket, one key per bucket on whichever master owns it", async () => {
    await expectSharedBucket(stacks, '192.0.2.21', '192.0.2.22')
    await expectSharedBucket(stacks, '192.0.2.31', '192.0.2.32')
  })
})
