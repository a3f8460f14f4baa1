import { Observable, Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createBulkhead, type Bulkhead } from '../../../../src/downstream/resilience/bulkhead.js'

class Rejected extends Error {}

/** A cold source that logs when it is subscribed (started) and torn down (stopped). */
function tracked(log: string[], name: string) {
  const subject = new Subject<string>()
  const source = new Observable<string>((subscriber) => {
    log.push(`start ${name}`)
    const inner = subject.subscribe(subscriber)
    return () => {
      log.push(`stop ${name}`)
      inner.unsubscribe()
    }
  })
  return { subject, source }
}

/**
 * A cold source run through the bulkhead, as a call uses it: started once it
 * holds a slot; unsubscribing gives the queue place or the slot back.
 */
function through<T>(bulkhead: Bulkhead, source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let inner: { unsubscribe(): void } | undefined
    const entry = bulkhead.enter(() => {
      inner = source.subscribe(subscriber)
    })
    if (entry === null) {
      subscriber.error(bulkhead.rejection())
      return undefined
    }
    if (entry.running) inner = source.subscribe(subscriber)
    return () => {
      inner?.unsubscribe()
      entry.release()
    }
  })
}

describe('createBulkhead', () => {
  it('runs up to `concurrency`, queues up to `queueSize`, rejects the rest at once', () => {
    const log: string[] = []
    const bulkhead = createBulkhead({ concurrency: 2, queueSize: 1, rejection: () => new Rejected('full') })
    const calls = ['a', 'b', 'c', 'd'].map((name) => tracked(log, name))
    const errors: unknown[] = []
    calls.forEach((call) => through(bulkhead, call.source).subscribe({ error: (e: unknown) => errors.push(e) }))
    expect(log).toEqual(['start a', 'start b'])
    expect(bulkhead.inFlight).toBe(2)
    expect(bulkhead.queued).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(Rejected)
    calls[0]?.subject.complete()
    expect(log).toEqual(['start a', 'start b', 'stop a', 'start c'])
    expect(bulkhead.inFlight).toBe(2)
    expect(bulkhead.queued).toBe(0)
  })

  it('gives the queue place back when a queued subscriber leaves', () => {
    const log: string[] = []
    const bulkhead = createBulkhead({ concurrency: 1, queueSize: 1, rejection: () => new Rejected('full') })
    const [a, b, c] = ['a', 'b', 'c'].map((name) => tracked(log, name))
    through(bulkhead, a!.source).subscribe()
    const queued = through(bulkhead, b!.source).subscribe()
    queued.unsubscribe()
    expect(bulkhead.queued).toBe(0)
    const errors: unknown[] = []
    through(bulkhead, c!.source).subscribe({ error: (e: unknown) => errors.push(e) })
    expect(errors).toEqual([])
    a!.subject.complete()
    // b never starts; c takes the slot.
    expect(log).toEqual(['start a', 'stop a', 'start c'])
  })

  it('frees the slot when a running subscriber leaves, tearing the source down', () => {
    const log: string[] = []
    const bulkhead = createBulkhead({ concurrency: 1, queueSize: 5, rejection: () => new Rejected('full') })
    const [a, b] = ['a', 'b'].map((name) => tracked(log, name))
    const running = through(bulkhead, a!.source).subscribe()
    through(bulkhead, b!.source).subscribe()
    running.unsubscribe()
    expect(log).toEqual(['start a', 'stop a', 'start b'])
    expect(bulkhead.inFlight).toBe(1)
  })

  it('never strands a live queued call behind a cancelled one (cockatiel BulkheadPolicy does)', () => {
    const log: string[] = []
    const bulkhead = createBulkhead({ concurrency: 1, queueSize: 5, rejection: () => new Rejected('full') })
    const [a, b, c] = ['a', 'b', 'c'].map((name) => tracked(log, name))
    const errors: unknown[] = []
    through(bulkhead, a!.source).subscribe({ error: (e: unknown) => errors.push(e) })
    through(bulkhead, b!.source).subscribe().unsubscribe()
    through(bulkhead, c!.source).subscribe()
    a!.subject.error(new Error('boom'))
    expect(errors).toHaveLength(1)
    expect(log).toEqual(['start a', 'stop a', 'start c'])
    expect(bulkhead.inFlight).toBe(1)
    expect(bulkhead.queued).toBe(0)
  })

  it('releases the slot when the source finishes synchronously', () => {
    const log: string[] = []
    const bulkhead = createBulkhead({ concurrency: 1, queueSize: 0, rejection: () => new Rejected('full') })
    const a = tracked(log, 'a')
    a.subject.complete()
    through(bulkhead, a.source).subscribe()
    expect(bulkhead.inFlight).toBe(0)
  })

  it('validates its options', () => {
    expect(() => createBulkhead({ concurrency: 0, rejection: () => new Rejected() })).toThrow(/concurrency/)
    expect(() => createBulkhead({ queueSize: -1, rejection: () => new Rejected() })).toThrow(/queueSize/)
  })
})
