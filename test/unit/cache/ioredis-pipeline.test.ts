import { setFlagsFromString } from 'node:v8'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'

// V8's own test hook; compiled after the flag is set, so only these functions need it.
setFlagsFromString('--allow-natives-syntax')
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean

/**
 * patches/ioredis+5.11.1.patch, applied by `postinstall`: ioredis defines
 * `Pipeline#length` as an accessor on each instance, with a closure of its
 * own, so no two pipelines share a hidden class. Auto-pipelining builds one
 * pipeline per batch, and with the Redis cache the young-generation GC
 * promoted 12 % of a warm query's allocation (3 % patched), with scavenges of
 * 6–7 ms instead of 4 (docs/benchmarks.md, "The Redis variant's tail").
 * If this fails after an ioredis upgrade, re-check the upstream code and
 * regenerate or drop the patch.
 */
describe('ioredis pipelines (patched)', () => {
  const client = new Redis({ lazyConnect: true, enableOfflineQueue: false })
  afterAll(() => client.disconnect())

  it('keep `length` on the prototype, not on each instance', () => {
    const pipeline = client.pipeline()
    expect(Object.getOwnPropertyDescriptor(pipeline, 'length')).toBeUndefined()
    pipeline.get('a').get('b')
    expect(pipeline.length).toBe(2)
  })

  it('share one hidden class and stay in fast mode', () => {
    const first = client.pipeline()
    const second = client.pipeline()
    expect(haveSameMap(first, second)).toBe(true)
    expect(hasFastProperties(second)).toBe(true)
  })
})
