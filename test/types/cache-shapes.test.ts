import type { FastifyInstance } from 'fastify'
import type { Cluster, Redis } from 'ioredis'
import { describe, expectTypeOf, it } from 'vitest'
import type { CacheConfig } from '../../src/config/load-config.js'
import type { DataCache, RequestDataCache } from '../../src/data/resources.js'
import type { Page, OrderDto } from '../../src/downstream/dto.js'

/** Compile-time checks of the cache's public shapes (checked by `tsc` in npm test). */
describe('cache shapes', () => {
  it('decorates the fastify instance with the cache and its Redis client', () => {
    expectTypeOf<FastifyInstance['cache']>().toEqualTypeOf<DataCache>()
    expectTypeOf<FastifyInstance['redis']>().toEqualTypeOf<Redis | Cluster | null>()
    expectTypeOf<CacheConfig['ttlOverridesS']>().toEqualTypeOf<Readonly<Record<string, number>>>()
  })

  it('reads PRIVATE entries only through owned(), which takes the owner and hands it to the fetch', () => {
    const check = (cache: RequestDataCache): void => {
      expectTypeOf(cache.owned('userOrders', '7', '5:', async (owner) => ({ items: [], cursors: [], hasNextPage: false, endCursor: owner }))).toEqualTypeOf<
        Promise<Page<OrderDto>>
      >()
      // @ts-expect-error a user's orders are not a PUBLIC list
      void cache.list('userOrders', '7', '5:', async () => ({ items: [], cursors: [], hasNextPage: false, endCursor: null }))
      // @ts-expect-error nor an entity batch
      void cache.entities('recommendations', ['7'], async () => [], () => '7')
    }
    expectTypeOf(check).toBeFunction()
  })
})
