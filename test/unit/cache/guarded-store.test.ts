import { describe, expect, it, onTestFinished, vi } from 'vitest'
import type { Store } from '../../../src/cache/store.js'
import { createGuardedStore } from '../../../src/cache/guarded-store.js'
import { createMemoryStore } from '../../../src/cache/memory-store.js'
import { captureLog } from './fixtures.js'

/** A store that hangs (frozen Redis) or fails (dead Redis) on demand, counting calls. */
function flakyStore() {
  const inner = createMemoryStore()
  const state = { mode: 'up' as 'up' | 'hang' | 'fail', calls: 0 }
  const store: Store = {
    ...inner,
    backend: 'redis',
    getMany: (addresses) => {
      state.calls += 1
      if (state.mode === 'hang') return new Promise(() => undefined)
      if (state.mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'))
      return inner.getMany(addresses)
    },
  }
  return { store, state }
}

describe('guarded store (deadline + breaker around Redis)', () => {
  it('fails a hanging call at the deadline with a coded error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    onTestFinished(() => void vi.useRealTimers())
    const { store, state } = flakyStore()
    state.mode = 'hang'
    const guarded = createGuardedStore({ inner: store, timeoutMs: 30, log: captureLog().log })
    let settled = false
    const call = guarded.getMany([{ key: 'k' }]).finally(() => void (settled = true))
    call.catch(() => undefined)
    await vi.advanceTimersByTimeAsync(29)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await expect(call).rejects.toMatchObject({ code: 'BFF_ERR_CACHE_UNAVAILABLE', bypassed: false })
  })

  it('stops calling the store once open, and closes by itself when it answers again, logging each once', async () => {
    const { store, state } = flakyStore()
    const { log, lines } = captureLog()
    let recovered = 0
    const guarded = createGuardedStore({ inner: store, timeoutMs: 50, failureThreshold: 2, halfOpenAfterMs: 50, log, onRecover: () => void (recovered += 1) })
    state.mode = 'fail'
    for (let i = 0; i < 2; i += 1) await expect(guarded.getMany([{ key: 'k' }])).rejects.toMatchObject({ bypassed: false })
    expect(guarded.breakerState()).toBe('open')
    const callsWhenOpened = state.calls
    await expect(guarded.getMany([{ key: 'k' }])).rejects.toMatchObject({ bypassed: true })
    expect(state.calls).toBe(callsWhenOpened)

    // A probe goes through after halfOpenAfterMs and fails: the breaker re-opens without a second log line.
    await expect.poll(async () => {
      await guarded.getMany([{ key: 'k' }]).catch(() => undefined)
      return state.calls
    }).toBeGreaterThan(callsWhenOpened)
    state.mode = 'up'
    await expect.poll(async () => guarded.getMany([{ key: 'k' }]).then(() => true, () => false), { timeout: 2_000 }).toBe(true)
    expect(guarded.breakerState()).toBe('closed')
    expect(recovered).toBe(1)
    await expect.poll(() => guarded.degraded(), { timeout: 2_000 }).toBe(false)
    const messages = lines.map((line) => line['msg'])
    expect(messages.filter((m) => String(m).startsWith('cache degraded'))).toHaveLength(1)
    expect(messages.filter((m) => String(m).startsWith('cache recovered'))).toHaveLength(1)
  })

  it('logs a flapping outage (one Cluster master down) once, and recovers only once the breaker stays closed', async () => {
    const { store, state } = flakyStore()
    const { log, lines } = captureLog()
    let replays = 0
    const guarded = createGuardedStore({
      inner: store,
      timeoutMs: 50,
      failureThreshold: 2,
      halfOpenAfterMs: 50,
      recoveryHoldMs: 1_000,
      log,
      onRecover: () => void (replays += 1),
    })
    const count = (prefix: string): number => lines.filter((line) => String(line['msg']).startsWith(prefix)).length
    const closeAgain = async (): Promise<void> => {
      state.mode = 'up'
      await expect.poll(async () => guarded.getMany([{ key: 'k' }]).then(() => true, () => false), { timeout: 2_000 }).toBe(true)
    }
    const openAgain = async (): Promise<void> => {
      state.mode = 'fail'
      for (let i = 0; i < 2; i += 1) await guarded.getMany([{ key: 'k' }]).catch(() => undefined)
      expect(guarded.breakerState()).toBe('open')
    }

    await openAgain()
    // A probe lands on a live master: closed, but the dead master's keys open it again at once.
    await closeAgain()
    expect({ replays, degraded: guarded.degraded() }).toEqual({ replays: 1, degraded: true })
    await openAgain()
    await closeAgain()
    expect({ replays, degraded: guarded.degraded(), recoveredLines: count('cache recovered') }).toEqual({ replays: 2, degraded: true, recoveredLines: 0 })

    await expect.poll(() => guarded.degraded(), { timeout: 2_000 }).toBe(false)
    expect({ degradedLines: count('cache degraded'), recoveredLines: count('cache recovered') }).toEqual({ degradedLines: 1, recoveredLines: 1 })
    await guarded.close()
  })
})
