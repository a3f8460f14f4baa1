import { describe, expect, it } from 'vitest'
import type { Entry } from '../../../src/cache/envelope.js'
import { createNearStore } from '../../../src/cache/near-store.js'

const T0 = 1_000_000
const entry = (value: unknown, freshUntil: number): Entry<unknown> => ({ value, freshUntil, keepUntil: freshUntil + 60_000 })

describe('L1 (near cache)', () => {
  it('serves an entry for its L1 TTL, and never past its freshness', () => {
    const near = createNearStore({ ttlMs: 1_000 })
    near.fill('long', entry('a', T0 + 60_000), T0, near.mark())
    near.fill('short', entry('b', T0 + 300), T0, near.mark())
    expect([near.get('long', T0 + 999)?.value, near.get('short', T0 + 299)?.value]).toEqual(['a', 'b'])
    expect([near.get('long', T0 + 1_000), near.get('short', T0 + 300)]).toEqual([undefined, undefined])
  })

  it('takes only fresh entries', () => {
    const near = createNearStore()
    near.fill('k', entry('a', T0), T0, near.mark())
    expect(near.get('k', T0 - 1)).toBeUndefined()
    expect(near.size).toBe(0)
  })

  it('holds at most maxEntries, dropping the least recently used', () => {
    const near = createNearStore({ maxEntries: 2 })
    for (const key of ['a', 'b']) near.fill(key, entry(key, T0 + 10_000), T0, near.mark())
    near.get('a', T0)
    near.fill('c', entry('c', T0 + 10_000), T0, near.mark())
    expect(['a', 'b', 'c'].map((key) => near.get(key, T0)?.value)).toEqual(['a', undefined, 'c'])
    expect(near.size).toBe(2)
  })

  it('keeps the answer of a read out when its key was invalidated while the read was in flight', () => {
    const near = createNearStore()
    const since = near.mark()
    near.delete(['raced'])
    near.fill('raced', entry('old', T0 + 10_000), T0, since)
    near.fill('other', entry('ok', T0 + 10_000), T0, since)
    expect([near.get('raced', T0), near.get('other', T0)?.value]).toEqual([undefined, 'ok'])
    // A read that started after the invalidation fills again.
    near.fill('raced', entry('new', T0 + 10_000), T0, near.mark())
    expect(near.get('raced', T0)?.value).toBe('new')
  })

  it('keeps every earlier read out after a clear', () => {
    const near = createNearStore()
    const since = near.mark()
    near.clear()
    near.fill('k', entry('old', T0 + 10_000), T0, since)
    expect(near.get('k', T0)).toBeUndefined()
  })

  it('fills nothing from a read older than the invalidations it still remembers', () => {
    const near = createNearStore()
    const since = near.mark()
    near.delete(['raced'])
    // More invalidations than remembered: the one of 'raced' is forgotten, yet the old read must not fill.
    for (let i = 0; i < 10_001; i += 1) near.delete([`other:${i}`])
    near.fill('raced', entry('old', T0 + 10_000), T0, since)
    expect(near.get('raced', T0)).toBeUndefined()
  })

  it('serves and fills nothing while suspended, and comes back empty', () => {
    const near = createNearStore()
    near.fill('k', entry('a', T0 + 10_000), T0, near.mark())
    near.suspend()
    expect([near.active, near.size, near.get('k', T0)]).toEqual([false, 0, undefined])
    const duringOutage = near.mark()
    near.fill('k', entry('a', T0 + 10_000), T0, duringOutage)
    near.resume()
    // A read made while suspended may have missed an invalidation: it does not fill after resume either.
    near.fill('k', entry('a', T0 + 10_000), T0, duringOutage)
    expect(near.get('k', T0)).toBeUndefined()
    near.fill('k', entry('a', T0 + 10_000), T0, near.mark())
    expect(near.get('k', T0)?.value).toBe('a')
  })

  it('freezes what it holds: one object now reaches many requests', () => {
    const near = createNearStore()
    const value = { id: '1', images: [{ url: 'u' }] }
    near.fill('k', entry(value, T0 + 10_000), T0, near.mark())
    expect([Object.isFrozen(value), Object.isFrozen(value.images), Object.isFrozen(value.images[0])]).toEqual([true, true, true])
  })

  it.each([
    ['maxEntries', { maxEntries: 0 }],
    ['ttlMs', { ttlMs: 1.5 }],
  ])('names a bad %s', (name, options) => {
    expect(() => createNearStore(options)).toThrow(new RegExp(`createNearStore: ${name} must be a positive integer`))
  })
})
