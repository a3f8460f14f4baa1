import { describe, expect, it } from 'vitest'
import { RESOURCES } from '../../../src/data/resources.js'
import { policyFor, readCacheHints } from '../../../src/cache/ttl-policy.js'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'

const SDL = loadSchemaSdl()
const defaults = { defaultMaxAgeS: 0, staleWhileRevalidateS: 10, staleIfErrorS: 300, negativeTtlS: 5, ttlJitterPercent: 0 }
const ttlOf = (coordinates: readonly string[], overrides: Record<string, number> = {}) => {
  const policy = policyFor(readCacheHints(SDL, overrides), coordinates, defaults)
  return { maxAgeS: policy.maxAgeMs / 1_000, scope: policy.scope }
}

describe('fresh period of resources invalidated by events', () => {
  const hints = readCacheHints(SDL)
  const withEvents = { ...defaults, eventInvalidatedMaxAgeS: 300 }
  const maxAgeS = (name: keyof typeof RESOURCES, policyDefaults: typeof withEvents | typeof defaults) => {
    const def = RESOURCES[name]
    return policyFor(hints, def.coordinates, policyDefaults, 'invalidatedByEvents' in def && def.invalidatedByEvents === true).maxAgeMs / 1_000
  }

  it('holds what every change reaches as an event for the longer period, and the rest for its maxAge', () => {
    expect(maxAgeS('inventory', withEvents)).toBe(300)
    expect(maxAgeS('notificationFeed', withEvents)).toBe(300)
    expect(maxAgeS('unreadCount', withEvents)).toBe(300)
    expect(maxAgeS('userOrders', withEvents)).toBe(300)
    // Not every change to these arrives as an event (new recommendations, a review's text): their own maxAge.
    expect(maxAgeS('recommendations', withEvents)).toBe(60)
    expect(maxAgeS('review', withEvents)).toBe(60)
    // Never shortened: a maxAge above the period stays.
    expect(maxAgeS('product', withEvents)).toBe(600)
  })

  it('keeps the maxAge with the period at 0 (the default), and never caches what the schema does not', () => {
    expect(maxAgeS('inventory', defaults)).toBe(5)
    expect(policyFor(readCacheHints(SDL, { 'Product.price': 0 }), RESOURCES.inventory.coordinates, withEvents, true).maxAgeMs).toBe(0)
  })
})

describe('TTL policy from the SDL @cacheControl', () => {
  it('takes type hints, and field hints over them', () => {
    expect(ttlOf(RESOURCES.product.coordinates)).toEqual({ maxAgeS: 600, scope: 'PUBLIC' })
    expect(ttlOf(RESOURCES.inventory.coordinates)).toEqual({ maxAgeS: 5, scope: 'PUBLIC' })
    expect(ttlOf(RESOURCES.user.coordinates)).toEqual({ maxAgeS: 300, scope: 'PUBLIC' })
    expect(ttlOf(RESOURCES.review.coordinates)).toEqual({ maxAgeS: 60, scope: 'PUBLIC' })
  })

  it('marks per-user data PRIVATE', () => {
    expect(ttlOf(RESOURCES.userOrders.coordinates)).toEqual({ maxAgeS: 30, scope: 'PRIVATE' })
    expect(ttlOf(RESOURCES.notificationFeed.coordinates)).toEqual({ maxAgeS: 10, scope: 'PRIVATE' })
    expect(ttlOf(RESOURCES.recommendations.coordinates)).toEqual({ maxAgeS: 60, scope: 'PRIVATE' })
  })

  it('follows the Apollo inheritance rules for fields without a hint', () => {
    // Object-returning field: the returned type's hint (User 300).
    expect(ttlOf(RESOURCES.followers.coordinates)).toEqual({ maxAgeS: 300, scope: 'PUBLIC' })
    // Scalar field: the parent type's hint (NotificationFeed 10 PRIVATE).
    expect(ttlOf(RESOURCES.unreadCount.coordinates)).toEqual({ maxAgeS: 10, scope: 'PRIVATE' })
    // Object without a hint (ReviewConnection): the default, 0 = not cached.
    expect(ttlOf(RESOURCES.productReviews.coordinates)).toEqual({ maxAgeS: 0, scope: 'PUBLIC' })
  })

  it('lets config override a type or a field, and the override reaches inheriting fields', () => {
    expect(ttlOf(RESOURCES.inventory.coordinates, { 'Product.price': 1 })).toEqual({ maxAgeS: 1, scope: 'PUBLIC' })
    expect(ttlOf(RESOURCES.followers.coordinates, { User: 42 })).toEqual({ maxAgeS: 42, scope: 'PUBLIC' })
    expect(ttlOf(RESOURCES.productReviews.coordinates, { 'Product.reviews': 60 })).toEqual({ maxAgeS: 60, scope: 'PUBLIC' })
  })

  it('rejects overrides naming no type or field, with a coded error', () => {
    expect(() => readCacheHints(SDL, { Prodcut: 1, 'Product.prise': 2 })).toThrow(
      expect.objectContaining({ code: 'BFF_ERR_CONFIG_INVALID', message: expect.stringContaining('Prodcut, Product.prise') }),
    )
  })
})
