import type { FastifyInstance } from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import type { Config } from '../../src/config/load-config.js'
import type { CallContext } from '../../src/downstream/call-context.js'
import type { Telemetry } from '../../src/plugins/telemetry.js'
import type { ClientOutcome, OperationOutcome } from '../../src/telemetry/outcomes.js'
import type { TraceSpan } from '../../src/telemetry/trace-span.js'

/** Compile-time checks of the observability shapes other modules build on. */
describe('telemetry shapes', () => {
  it('the telemetry decorator is typed on the fastify instance', () => {
    expectTypeOf<FastifyInstance['telemetry']>().toEqualTypeOf<Telemetry>()
    expectTypeOf<Telemetry['tracing']['enabled']>().toEqualTypeOf<boolean>()
  })

  it('outcomes are the documented label values', () => {
    expectTypeOf<ClientOutcome>().toEqualTypeOf<'ok' | 'error' | 'timeout' | 'circuit_open' | 'overloaded'>()
    expectTypeOf<OperationOutcome>().toEqualTypeOf<'ok' | 'partial' | 'error'>()
  })

  it('a call context may carry the span its calls are made under', () => {
    expectTypeOf<CallContext['trace']>().toEqualTypeOf<TraceSpan | undefined>()
  })

  it('tracing config is null when off, and readonly', () => {
    expectTypeOf<Config['telemetry']['tracing']>().toExtend<object | null>()
    // @ts-expect-error config is frozen and readonly
    ;((config: Config) => (config.telemetry.metrics.enabled = false))
  })
})
