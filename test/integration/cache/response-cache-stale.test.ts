import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryEventLog } from '../../../src/events/memory-event-log.js'
import { HOME } from '../../helpers/home-query.js'
import { scrape, total } from '../../helpers/metrics.js'
import { gql, mockStats, startStack, type Stack } from '../../helpers/stack.js'
import { waitFor } from '../../helpers/wait-for.js'
import { keptHome, statsOf } from './kept-answers.js'

interface HomeData {
  readonly home: { readonly recommendations: readonly { readonly id: string; readonly price: { readonly formatted: string } }[] }
}

/**
 * Prices and stock fresh for 1 s (the SDL says 5), and a BFF that hears none
 * of the services' events: only refreshes can tell it of a change.
 */
function startDeafStack(env: Record<string, string>): Promise<Stack> {
  return startStack({
    env: {
      RESPONSE_CACHE_ENABLED: 'true',
      CACHE_TTL_OVERRIDES: '{"Product.price":1,"Product.stock":1}',
      CACHE_TTL_JITTER_PERCENT: '0',
      CACHE_EVENT_INVALIDATED_MAX_AGE_S: '0',
      ...env,
    },
    eventLog: createMemoryEventLog(),
  })
}

/**
 * The in-process store sees every write to its entries, so a kept answer is
 * served past its entries' freshness, within their stale-while-revalidate
 * window, for as long as no refresh brings back another value.
 */
describe('kept answers past freshness, in-process store', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startDeafStack({ CACHE_STALE_WHILE_REVALIDATE_S: '30' })
  })
  afterAll(() => stack.close())

  it('lets one repeat past freshness execute, serves the kept answer after it, and drops it once a refresh brings a changed price', async () => {
    const first = await keptHome(stack, '1')
    expect(first.body.errors).toBeUndefined()

    // Past the prices' freshness the next repeat executes (and starts their refreshes); it read
    // only entries the cache may serve, so its answer is kept in the old one's place...
    const kept = statsOf(stack).kept
    await waitFor(async () => {
      const answer = await gql(stack, HOME, { id: '1' })
      expect(answer.body).toEqual(first.body)
      return statsOf(stack).revalidations > 0
    }, { message: 'a repeat let through past freshness' })
    expect(statsOf(stack).kept).toBe(kept + 1)
    // ...and the ones after it are answered from the kept answer, which every refresh found unchanged.
    const staleHits = statsOf(stack).staleHits
    const repeat = await gql(stack, HOME, { id: '1' })
    expect(repeat.body).toEqual(first.body)
    expect(statsOf(stack).staleHits).toBe(staleHits + 1)
    const metrics = await scrape(stack.bffUrl)
    const counted = statsOf(stack)
    expect({
      hit: total(metrics, 'bff_response_cache_lookups_total', { result: 'hit' }),
      staleHit: total(metrics, 'bff_response_cache_lookups_total', { result: 'stale_hit' }),
    }).toEqual({ hit: counted.hits - counted.staleHits, staleHit: counted.staleHits })

    // The price of a recommended product changes, and the BFF is not told.
    const product = (first.body.data as unknown as HomeData).home.recommendations[0]!
    const inventory = stack.mocks.urls.inventory
    const changed = await request(`${inventory}/inventory/${product.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ priceAmount: 123_456 }),
    })
    expect(changed.statusCode).toBe(200)
    await changed.body.dump()
    // Another query reads that price past its freshness: its refresh brings the new value, which drops the answer.
    const inventoryCalls = (await mockStats(inventory)).requests
    await waitFor(async () => {
      await gql(stack, 'query Price($id: ID!) { product(id: $id) { price { formatted } } }', { id: product.id })
      return statsOf(stack).dropped > 0
    }, { message: 'the kept answer dropped by a changed price' })
    expect((await mockStats(inventory)).requests).toBeGreaterThan(inventoryCalls)

    const after = await gql(stack, HOME, { id: '1' })
    const price = (after.body.data as unknown as HomeData).home.recommendations[0]!.price.formatted
    expect(price).not.toBe(product.price.formatted)
    expect(price).toContain('1,234.56')
  })
})

describe('kept answers past freshness, turned off (RESPONSE_CACHE_SERVE_STALE=false)', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startDeafStack({ RESPONSE_CACHE_SERVE_STALE: 'false' })
  })
  afterAll(() => stack.close())

  it('executes every repeat once an entry read is past freshness, until one reads only fresh entries', async () => {
    await keptHome(stack, '2')
    // Repeats are answered from the kept answer until it ends, at the prices' freshness.
    const before = statsOf(stack)
    await waitFor(async () => {
      await gql(stack, HOME, { id: '2' })
      return statsOf(stack).misses > before.misses
    }, { message: 'a repeat past freshness' })
    // It read revalidating prices: its answer was not kept, and the next repeat is not answered stale.
    const misses = statsOf(stack).misses
    await gql(stack, HOME, { id: '2' })
    expect(statsOf(stack)).toMatchObject({ misses: misses + 1, staleHits: 0, revalidations: 0 })
  })
})

/**
 * A user who comes back seldom: an entry that stops being fresh while the
 * kept answer is served stale must still be refreshed inside its own window.
 * Otherwise the execution after the answer ends finds it past the window, a
 * miss that answer waits for, where the entity path alone (reading it on every
 * visit) would have refreshed it in the background.
 */
describe('kept answers past freshness keep their entries refreshed', () => {
  let stack: Stack
  beforeAll(async () => {
    // Prices fresh 2 s, the notifications feed 4 s, both servable 4 s more.
    stack = await startDeafStack({
      CACHE_TTL_OVERRIDES: '{"Product.price":2,"Product.stock":2,"Home.notifications":4,"NotificationFeed.latest":4}',
      CACHE_STALE_WHILE_REVALIDATE_S: '4',
    })
  })
  afterAll(() => stack.close())

  const feedMisses = (): number => stack.app.cacheStats.counters()['notifications:feed']?.misses ?? 0
  const home = () => gql(stack, HOME, { id: '3' })
  const until = (at: number) => waitFor(() => Date.now() >= at, { timeoutMs: 10_000, message: `${at - Date.now()} ms to pass` })

  it('refreshes an entry that went stale while the answer was served, before its window ends', async () => {
    await keptHome(stack, '3')
    const misses = feedMisses()
    // The prices stop being fresh first: that repeat executes and refreshes them.
    await waitFor(async () => {
      await home()
      return statsOf(stack).revalidations > 0
    }, { message: 'a repeat let through past the prices\' freshness' })
    const pricesStale = Date.now()
    // Half a window later the feed (written with the prices) is past freshness too, and this visit refreshes it.
    await until(pricesStale + 2_500)
    await home()
    // Past the feed's old window: had no visit refreshed it, the next execution would miss it.
    await until(pricesStale + 6_500)
    const last = await home()
    expect(last.body.errors).toBeUndefined()
    expect(feedMisses()).toBe(misses)
    expect(statsOf(stack).revalidations).toBeGreaterThanOrEqual(2)
  })
})
