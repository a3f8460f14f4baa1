import { describe, expect, it } from 'vitest'
import { createSharedCalls } from '../../../src/cache/flights.js'

describe('shared calls', () => {
  it('aborts a call when its last waiter gives up before it settled, unless it is detached', () => {
    const calls = createSharedCalls()
    const shared = calls.start({ detached: false })
    const refresh = calls.start({ detached: true })
    const leaveA = shared.hold()
    const leaveB = shared.hold()
    leaveA(false)
    leaveA(false) // releasing twice counts once
    expect(shared.signal.aborted).toBe(false)
    leaveB(false)
    expect(shared.signal.aborted).toBe(true)
    refresh.hold()(false)
    expect(refresh.signal.aborted).toBe(false)
  })

  it('does not abort a call whose last waiter leaves with its answer, though the write-back has not settled it yet', () => {
    const calls = createSharedCalls()
    const shared = calls.start({ detached: false })
    const signal = shared.signal
    const leaveA = shared.hold()
    const leaveB = shared.hold()
    leaveA(false)
    leaveB(true)
    expect(signal.aborted).toBe(false)
    shared.settle()
  })

  it('close() aborts every call still running, not the settled ones, and every call started after', () => {
    const calls = createSharedCalls()
    const running = calls.start({ detached: true })
    const settled = calls.start({ detached: false })
    settled.settle()
    expect(calls.closed).toBe(false)
    calls.close()
    expect(calls.closed).toBe(true)
    expect(running.signal.aborted).toBe(true)
    expect(settled.signal.aborted).toBe(false)
    expect(calls.start({ detached: true }).signal.aborted).toBe(true)
  })
})
