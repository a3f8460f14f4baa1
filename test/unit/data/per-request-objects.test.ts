import { setFlagsFromString } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { createReadSession } from '../../../src/cache/read-env.js'
import { createPassThroughCache } from '../../../src/cache/request-cache.js'
import { createBatchLoaders } from '../../../src/data/batch-loaders.js'
import { RequestCallContext } from '../../../src/downstream/call-context.js'
import type { DownstreamClients } from '../../../src/downstream/clients.js'
import { createDataSources } from '../../../src/data/data-sources.js'
import { LazyAbortController } from '../../../src/lib/lazy-abort.js'
import { testCache } from '../cache/fixtures.js'

// V8's own test hook; compiled after the flag is set, so only this function needs it.
setFlagsFromString('--allow-natives-syntax')
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean

/**
 * Objects built once per GraphQL request must stay in V8's fast mode. An
 * object literal with getters is kept in dictionary mode instead, and the
 * batch loaders built that way made the young-generation GC promote 13.7 % of
 * a warm query's allocation (3.7 % as a class), with 25–30 ms scavenges: the
 * p99 tail of the cache benchmark (docs/benchmarks.md, "Where the tail came from").
 */
describe('per-request objects', () => {
  const log = { child: () => log } as unknown as RequestCallContext['log']
  const clients = {} as DownstreamClients
  const ctx = (): RequestCallContext => new RequestCallContext('r1', log, new LazyAbortController())

  it('are fast-mode objects: data sources, loaders, cache views, call context', () => {
    const { cache } = testCache(createMemoryStore())
    const context = ctx()
    const loaders = createBatchLoaders(clients, context, cache.session(context))
    const built: Record<string, object> = {
      'call context': context,
      'data sources': createDataSources(clients, context, cache),
      'data sources without a cache': createDataSources(clients, context),
      'batch loaders': loaders,
      'request cache': cache.session(context),
      'pass-through cache': createPassThroughCache(context),
      'read session': createReadSession(context),
    }
    const slow = Object.entries(built).filter(([, object]) => !hasFastProperties(object)).map(([name]) => name)
    expect(slow).toEqual([])
  })

  it('the check itself tells a getter literal from a class', () => {
    const literal = (value: number) => ({ get value() { return value } })
    expect(hasFastProperties(literal(1))).toBe(false)
    expect(hasFastProperties(ctx())).toBe(true)
  })
})
