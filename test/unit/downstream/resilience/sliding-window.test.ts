import { describe, expect, it } from 'vitest'
import { createSlidingWindow } from '../../../../src/downstream/resilience/sliding-window.js'

function clock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('createSlidingWindow', () => {
  it('counts outcomes within the window and forgets them slice by slice', () => {
    const time = clock()
    const window = createSlidingWindow({ windowMs: 10_000, buckets: 10, now: time.now })
    window.record('failure')
    time.advance(5_000)
    window.record('success')
    window.record('failure')
    expect(window.counts()).toEqual({ successes: 1, failures: 2 })
    time.advance(5_000)
    // The first failure's slice has left the window; the later ones remain.
    expect(window.counts()).toEqual({ successes: 1, failures: 1 })
    time.advance(5_000)
    expect(window.counts()).toEqual({ successes: 0, failures: 0 })
  })

  it('does not resurrect old slices after an idle gap (cockatiel SamplingBreaker does)', () => {
    const time = clock()
    const window = createSlidingWindow({ windowMs: 10_000, now: time.now })
    for (let i = 0; i < 19; i++) window.record('failure')
    time.advance(60_000)
    window.record('failure')
    expect(window.counts()).toEqual({ successes: 0, failures: 1 })
  })

  it('reuses a ring slot only after clearing it', () => {
    const time = clock()
    const window = createSlidingWindow({ windowMs: 1_000, buckets: 4, now: time.now })
    for (let slice = 0; slice < 12; slice++) {
      window.record('success')
      time.advance(250)
    }
    // 4 slices of 250 ms: only the last four records are in the window, the current slice is empty.
    expect(window.counts().successes).toBe(3)
    window.reset()
    expect(window.counts()).toEqual({ successes: 0, failures: 0 })
  })
})
