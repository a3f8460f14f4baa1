import { describe, expect, it } from 'vitest'
import { RECENT_CAPACITY, RequestStats } from '../../../mocks/admin/request-stats.js'

describe('RequestStats', () => {
  it('counts by route and tracks in-flight requests', () => {
    const stats = new RequestStats()
    const a = stats.begin('GET /users/:id', 'r-1')
    stats.begin('GET /users/:id', null)
    stats.begin('GET /users', null)
    stats.end(a)
    expect(stats.snapshot()).toEqual({ requests: 3, byRoute: { 'GET /users/:id': 2, 'GET /users': 1 }, inFlight: 2 })
    expect(a.endedAt).not.toBeNull()
    expect(stats.recent().map((r) => r.requestId)).toEqual(['r-1', null, null])
  })

  it(`keeps the last ${RECENT_CAPACITY} requests, oldest first`, () => {
    const stats = new RequestStats()
    for (let i = 0; i < RECENT_CAPACITY + 5; i++) stats.end(stats.begin('GET /x', String(i)))
    const recent = stats.recent()
    expect(recent).toHaveLength(RECENT_CAPACITY)
    expect(recent[0]?.requestId).toBe('5')
    expect(recent.at(-1)?.requestId).toBe(String(RECENT_CAPACITY + 4))
  })

  it('reset clears counters and history but not the live in-flight gauge', () => {
    const stats = new RequestStats()
    const open = stats.begin('GET /x', null)
    stats.reset()
    expect(stats.snapshot()).toEqual({ requests: 0, byRoute: {}, inFlight: 1 })
    expect(stats.recent()).toEqual([])
    stats.end(open)
    expect(stats.snapshot().inFlight).toBe(0)
  })
})
