import type { FastifyInstance } from 'fastify'
import type { MercuriusContext } from 'mercurius'
import { describe, expectTypeOf, it } from 'vitest'
import type { Config } from '../../src/config/load-config.js'
import type { DataSources } from '../../src/data/data-sources.js'
import type { DownstreamErrorCode } from '../../src/downstream/errors.js'
import type { Downstreams } from '../../src/plugins/downstreams.js'

/** Compile-time checks of the shapes other modules build on (checked by `tsc` in npm test). */
describe('public shapes', () => {
  it('config is deeply readonly and typed', () => {
    expectTypeOf<Config['server']['port']>().toEqualTypeOf<number>()
    expectTypeOf<Config['redis']['url']>().toEqualTypeOf<string | null>()
    expectTypeOf<Config['downstream']['services']['users']['timeoutMs']>().toEqualTypeOf<number>()
    // @ts-expect-error config is frozen and readonly
    ;((config: Config) => (config.server.port = 1))
  })

  it('resolver context carries the data sources and request id, not clients', () => {
    expectTypeOf<MercuriusContext['data']>().toEqualTypeOf<DataSources>()
    expectTypeOf<MercuriusContext['requestId']>().toEqualTypeOf<string>()
    expectTypeOf<MercuriusContext>().not.toHaveProperty('clients')
  })

  it('the downstreams decorator is typed on the fastify instance', () => {
    expectTypeOf<FastifyInstance['downstreams']>().toEqualTypeOf<Downstreams>()
  })

  it('downstream error codes are the documented GraphQL codes', () => {
    expectTypeOf<'DOWNSTREAM_TIMEOUT'>().toExtend<DownstreamErrorCode>()
    expectTypeOf<'DOWNSTREAM_CIRCUIT_OPEN'>().toExtend<DownstreamErrorCode>()
  })
})
