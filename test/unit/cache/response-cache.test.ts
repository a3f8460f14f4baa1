import { describe, expect, it } from 'vitest'
import { ReadTrail } from '../../../src/cache/read-trail.js'
import { createResponseCache } from '../../../src/cache/response-cache.js'

const trailOf = (reads: Record<string, number>, staleForMs = 0): ReadTrail => {
  const trail = new ReadTrail()
  for (const [key, until] of Object.entries(reads)) trail.read(key, until, until + staleForMs)
  return trail
}
const options = { maxEntries: 2, maxLength: 100, maxHoldMs: 1_000 }

describe('response cache', () => {
  it('serves an answer until the least fresh entry it read stops being fresh, and never past maxHoldMs', () => {
    const answers = createResponseCache(options)
    answers.keep('a', '{"x":1}', trailOf({ e1: 500, e2: 300 }), answers.mark(), 0)
    expect(answers.get('a', 299)).toBe('{"x":1}')
    expect(answers.get('a', 300)).toBeUndefined()
    answers.keep('b', '{}', new ReadTrail(), answers.mark(), 0)
    expect(answers.get('b', 999)).toBe('{}')
    expect(answers.get('b', 1_000)).toBeUndefined()
  })

  it('drops every answer read from an invalidated entry, and keeps none whose operation overlapped a drop', () => {
    const answers = createResponseCache(options)
    answers.keep('a', '1', trailOf({ e1: 500 }), answers.mark(), 0)
    answers.keep('b', '2', trailOf({ e2: 500 }), answers.mark(), 0)
    const since = answers.mark()
    answers.drop(['e1'])
    expect(answers.get('a', 1)).toBeUndefined()
    expect(answers.get('b', 1)).toBe('2')
    // Read e1 before the drop, finished after it: its answer may hold the old value.
    answers.keep('c', '3', trailOf({ e1: 500 }), since, 1)
    expect(answers.get('c', 2)).toBeUndefined()
    // Read only e2, which nothing dropped: the drop of e1 while it ran does not concern it.
    answers.keep('d', '4', trailOf({ e2: 500 }), since, 1)
    expect(answers.get('d', 2)).toBe('4')
    expect(answers.stats()).toMatchObject({ kept: 3, dropped: 1 })
  })

  it('keeps nothing spoiled or too long, and forgets the tags of answers the LRU evicts', () => {
    const answers = createResponseCache(options)
    const spoiled = trailOf({ e1: 500 })
    spoiled.spoil()
    answers.keep('a', '1', spoiled, answers.mark(), 0)
    answers.keep('b', 'x'.repeat(101), trailOf({ e1: 500 }), answers.mark(), 0)
    expect(answers.size).toBe(0)
    for (const key of ['c', 'd', 'e']) answers.keep(key, key, trailOf({ [`e-${key}`]: 500 }), answers.mark(), 0)
    expect(answers.size).toBe(2)
    expect(answers.get('c', 1)).toBeUndefined()
    answers.drop(['e-c'])
    expect(answers.stats().dropped).toBe(0)
  })

  it('keeps and serves nothing while suspended, and forgets on suspend and on resume what was kept before', () => {
    const answers = createResponseCache({ ...options, active: false })
    answers.keep('a', '1', trailOf({ e1: 500 }), answers.mark(), 0)
    expect(answers.get('a', 1)).toBeUndefined()
    answers.resume()
    answers.keep('a', '1', trailOf({ e1: 500 }), answers.mark(), 0)
    expect(answers.get('a', 1)).toBe('1')
    answers.suspend()
    expect([answers.active, answers.size, answers.get('a', 1)]).toEqual([false, 0, undefined])
    // An operation that began before the suspension finishes after it: not kept.
    const since = answers.mark()
    answers.resume()
    answers.keep('b', '2', trailOf({ e1: 500 }), since, 1)
    expect(answers.get('b', 2)).toBeUndefined()
  })

  describe('served stale (servesStale: the in-process store)', () => {
    const stale = { ...options, servesStale: true }

    it('lets the first repeat past freshness execute, and one in every half stale window after it, until the first entry read leaves its window', () => {
      const answers = createResponseCache(stale)
      // e2 is fresh until 300 and servable stale until 300 + 400.
      answers.keep('a', '{"x":1}', trailOf({ e1: 500, e2: 300 }, 400), answers.mark(), 0)
      expect(answers.get('a', 299)).toBe('{"x":1}')
      expect(answers.get('a', 300)).toBeUndefined()
      expect(answers.get('a', 301)).toBe('{"x":1}')
      expect(answers.get('a', 499)).toBe('{"x":1}')
      expect(answers.get('a', 500)).toBeUndefined()
      expect(answers.get('a', 501)).toBe('{"x":1}')
      expect(answers.get('a', 699)).toBe('{"x":1}')
      expect(answers.get('a', 700)).toBeUndefined()
      expect(answers.get('a', 701)).toBeUndefined()
      expect(answers.stats()).toMatchObject({ hits: 5, staleHits: 4, revalidations: 2, misses: 4 })
    })

    it('replaces the answer with the revalidating execution\'s, when that one may be kept', () => {
      const answers = createResponseCache(stale)
      answers.keep('a', 'old', trailOf({ e1: 300 }, 400), answers.mark(), 0)
      expect(answers.get('a', 300)).toBeUndefined()
      answers.keep('a', 'new', trailOf({ e1: 800 }, 400), answers.mark(), 310)
      expect(answers.get('a', 799)).toBe('new')
      expect(answers.get('a', 800)).toBeUndefined()
      expect(answers.get('a', 801)).toBe('new')
    })

    it('drops the answer when an entry it read is written with another value, and keeps none that read it meanwhile', () => {
      const answers = createResponseCache(stale)
      answers.keep('a', '1', trailOf({ e1: 300 }, 400), answers.mark(), 0)
      answers.keep('b', '2', trailOf({ e2: 300 }, 400), answers.mark(), 0)
      const since = answers.mark()
      answers.changed('e1')
      expect(answers.get('a', 301)).toBeUndefined()
      expect(answers.get('b', 1)).toBe('2')
      answers.keep('c', '3', trailOf({ e1: 500 }, 400), since, 1)
      expect(answers.get('c', 2)).toBeUndefined()
      expect(answers.stats().dropped).toBe(1)
    })

    it('keeps an answer read partly past freshness as already revalidating, within its stale window only', () => {
      const answers = createResponseCache(stale)
      // e2's freshness ended at 100 (its refresh started by the read); servable until 500.
      answers.keep('a', '1', trailOf({ e1: 900, e2: 100 }, 400), answers.mark(), 200)
      expect(answers.get('a', 201)).toBe('1')
      expect(answers.get('a', 399)).toBe('1')
      // Half a stale window after the read that started the refreshes, the next repeat executes.
      expect(answers.get('a', 400)).toBeUndefined()
      expect(answers.get('a', 499)).toBe('1')
      expect(answers.get('a', 500)).toBeUndefined()
      expect(answers.stats()).toMatchObject({ kept: 1, staleHits: 3, revalidations: 1 })
      answers.keep('b', '2', trailOf({ e2: 100 }, 400), answers.mark(), 500)
      expect(answers.get('b', 501)).toBeUndefined()
      const fresh = createResponseCache(options)
      fresh.keep('a', '1', trailOf({ e1: 900, e2: 100 }, 400), fresh.mark(), 200)
      expect(fresh.get('a', 201)).toBeUndefined()
      expect(fresh.stats().kept).toBe(0)
    })

    it('is never served past maxHoldMs, and without servesStale never past freshness', () => {
      const held = createResponseCache(stale)
      held.keep('a', '1', trailOf({ e1: 900 }, 5_000), held.mark(), 0)
      expect(held.get('a', 899)).toBe('1')
      expect(held.get('a', 900)).toBeUndefined()
      expect(held.get('a', 920)).toBe('1')
      expect(held.get('a', 1_000)).toBeUndefined()
      expect(held.get('a', 1_001)).toBeUndefined()
      const fresh = createResponseCache(options)
      fresh.keep('a', '1', trailOf({ e1: 300 }, 400), fresh.mark(), 0)
      expect(fresh.get('a', 300)).toBeUndefined()
      expect(fresh.get('a', 301)).toBeUndefined()
      expect(fresh.stats()).toMatchObject({ staleHits: 0, revalidations: 0 })
    })
  })
})
