import type { FastifyInstance, FastifyRequest } from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import type { Config } from '../../src/config/load-config.js'
import type { PersistedDocuments, PersistedOperation } from '../../src/edge/persisted-documents.js'
import '../../src/plugins/persisted-documents.js'

/** Compile-time checks of what the operation limits and the lead's wiring build on (checked by `tsc`). */
describe('edge shapes', () => {
  it('request.persistedOperation says how a document was vouched for; the cost limit reads it', () => {
    expectTypeOf<FastifyRequest['persistedOperation']>().toEqualTypeOf<'listed' | 'automatic' | null>()
    expectTypeOf<PersistedOperation>().toEqualTypeOf<'listed' | 'automatic' | null>()
    expectTypeOf<FastifyInstance['persistedDocuments']>().toEqualTypeOf<PersistedDocuments>()
  })

  it('the persisted-queries and browser config sections are typed', () => {
    expectTypeOf<Config['persistedQueries']['operationsMode']>().toEqualTypeOf<'off' | 'allow' | 'require'>()
    expectTypeOf<Config['persistedQueries']['ttlMs']>().toEqualTypeOf<number>()
    expectTypeOf<Config['browser']['corsOrigins']>().toEqualTypeOf<readonly string[]>()
    // @ts-expect-error config is frozen and readonly
    ;((config: Config) => (config.browser.corsCredentials = true))
  })
})
