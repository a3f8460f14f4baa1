import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scrape, total } from '../../helpers/metrics.js'
import { gql } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { cacheReadiness, putStock, startBacking, startCacheStack, startPeer, type Backing, type CacheStack } from './cache-stack.js'

const PRODUCT = 'query P($id: ID!) { product(id: $id) { id name stock price { amount } } }'
type Product = { id: string; name: string; stock: number; price: { amount: number } }
/** Entries stay fresh, and in the L1, for the whole test however slow the machine: only invalidations drop them. */
const LONG = { CACHE_L1_TTL_MS: '60000', CACHE_TTL_OVERRIDES: '{"Product.price":60,"Product.stock":60}', CACHE_REDIS_TIMEOUT_MS: '1000', CACHE_BREAKER_THRESHOLD: '50' }

async function product(stack: Pick<CacheStack, 'bffUrl'>, id: string): Promise<Product> {
  const answer = await gql(stack, PRODUCT, { id })
  expect({ status: answer.status, errors: answer.body.errors }).toEqual({ status: 200, errors: undefined })
  return (answer.body.data as { product: Product }).product
}
const responses = async (stack: Pick<CacheStack, 'bffUrl'>) => (await cacheReadiness(stack)).responses

/** Queries until this instance keeps the answer, then checks the next one is answered from it. */
async function keptProduct(stack: CacheStack, id: string): Promise<Product> {
  const kept = (await responses(stack)).kept ?? 0
  let answer = await product(stack, id)
  for (let i = 0; i < 5 && ((await responses(stack)).kept ?? 0) === kept; i += 1) answer = await product(stack, id)
  const hits = (await responses(stack)).hits ?? 0
  expect(await product(stack, id)).toEqual(answer)
  expect((await responses(stack)).hits).toBe(hits + 1)
  return answer
}

/**
 * Kept answers with Redis live behind the L1: dropped by what another
 * instance broadcasts, and neither kept nor served while this instance
 * cannot hear those broadcasts.
 */
describe('kept answers over Redis, behind the L1', () => {
  let backing: Backing
  let a: CacheStack
  let b: CacheStack
  beforeAll(async () => {
    backing = await startBacking('redis')
    const env = { ...backing.env, ...LONG, CACHE_KEY_PREFIX: 'kept-two:' }
    a = await startCacheStack(env)
    b = await startPeer(a, env)
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
    await backing?.stop()
  })

  it('an invalidation on one instance drops the answers the other kept, and its next answer shows the change', async () => {
    const before = await keptProduct(b, '310')
    const dropped = (await responses(b)).dropped ?? 0
    const stock = before.stock + 23
    await putStock(a.mocks, '310', stock)
    // Only A reads this event; B learns of it through the broadcast alone.
    await a.eventLog.append({ type: 'inventory.changed', productId: '310', stock, priceAmount: before.price.amount })
    await waitFor(async () => ((await responses(b)).dropped ?? 0) > dropped, { message: 'B to drop its kept answer' })
    expect((await product(b, '310')).stock).toBe(stock)
  })

  it('reports its counters on /metrics as /health/ready does', async () => {
    await keptProduct(b, '311')
    const [metrics, ready] = [await scrape(b.bffUrl), await responses(b)]
    expect({
      hits: total(metrics, 'bff_response_cache_lookups_total', { result: 'hit' }),
      kept: total(metrics, 'bff_response_cache_answers_total', { event: 'kept' }),
      entries: total(metrics, 'bff_response_cache_entries'),
    }).toEqual({ hits: ready.hits, kept: ready.kept, entries: ready.entries })
  })

  it('keeps and serves none while the invalidation subscriber is down, and keeps again once it is back', async () => {
    await keptProduct(b, '312')
    await backing.server?.kill()
    await waitFor(async () => (await responses(b)).active === false, { timeoutMs: 5_000, message: 'kept answers to be suspended' })
    expect((await responses(b)).entries).toBe(0)
    const hits = (await responses(b)).hits
    for (let i = 0; i < 3; i += 1) await product(b, '312')
    expect({ hits: (await responses(b)).hits, entries: (await responses(b)).entries }).toEqual({ hits, entries: 0 })

    await backing.server?.restart()
    let probes = 0
    await waitFor(
      async () => {
        // A query for an entry nobody holds makes the store breaker probe Redis again.
        await product(b, String(950 + probes++))
        const readiness = await cacheReadiness(b)
        return readiness.l1.active && readiness.responses.active === true && !readiness.degraded
      },
      { timeoutMs: 10_000, message: 'kept answers to be used again' },
    )
    await keptProduct(b, '312')
  })
})
