import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { SubscriberOverflowError } from '../../../src/subscriptions/subscriber-overflow-error.js'
import { paceTo } from '../../../src/subscriptions/pace.js'

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
}

describe('paceTo: overflow policies in virtual time', () => {
  it('buffer: hands one event per pull, in order, holding the rest', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-----|')
      const demand = hot('x------x-x--')
      expectObservable(source.pipe(paceTo(demand, { kind: 'buffer', capacity: 5 }))).toBe('-a-----b-c-|')
    })
  })

  it('completes only once what it holds was taken', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b|')
      const demand = hot('------x-x')
      expectObservable(source.pipe(paceTo(demand, { kind: 'buffer', capacity: 5 }))).toBe('------a-(b|)')
    })
  })

  it('buffer: one event over the cap errors with SubscriberOverflowError, carrying the backlog size', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-')
      const demand = hot('---------')
      expectObservable(source.pipe(paceTo(demand, { kind: 'buffer', capacity: 3 }))).toBe('-------#', undefined, new SubscriberOverflowError(3, 4))
    })
  })

  it('buffer: a consumer that keeps up never builds a backlog', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const demand = hot('x-x-x-x-x-x')
      const source = hot('-a-b-c-d-e-')
      expectObservable(source.pipe(paceTo(demand, { kind: 'buffer', capacity: 1 }))).toBe('-a-b-c-d-e-')
    })
  })

  it('conflate: keeps the newest per key, in event order, and counts what it replaced', () => {
    let conflated = 0
    scheduler().run(({ hot, expectObservable }) => {
      const values = { a: { k: 'p1', v: 1 }, b: { k: 'p2', v: 2 }, c: { k: 'p1', v: 3 }, d: { k: 'p1', v: 4 } }
      const source = hot('-a-b-c-d------|', values)
      const demand = hot('---------x-x-x-')
      const paced = source.pipe(paceTo(demand, { kind: 'conflate', keyOf: (value) => value.k }, { onConflated: () => (conflated += 1) }))
      // p2 (b) stays ahead of p1's latest (d): re-inserting on replace keeps ids increasing.
      expectObservable(paced).toBe('---------b-d--|', values)
    })
    expect(conflated).toBe(2)
  })

  it('conflate: never errors, however far behind the consumer is', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const values = { a: 'p1', b: 'p1', c: 'p1', d: 'p1', e: 'p1' }
      const source = hot('-a-b-c-d-e-', values)
      const demand = hot('----------x')
      expectObservable(source.pipe(paceTo(demand, { kind: 'conflate', keyOf: (v) => v }))).toBe('----------e', values)
    })
  })

  it('validates its options', () => {
    expect(() => paceTo(hotless(), { kind: 'buffer', capacity: 0 })).toThrow(/capacity must be a positive integer, got 0/)
  })
})

function hotless() {
  return new TestScheduler(() => undefined).createHotObservable('-')
}
