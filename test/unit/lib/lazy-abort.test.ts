import { describe, expect, it } from 'vitest'
import { LazyAbortController } from '../../../src/lib/lazy-abort.js'

describe('LazyAbortController', () => {
  it('hands out one signal, made on first read, that aborts with the controller', () => {
    const controller = new LazyAbortController()
    const signal = controller.signal
    expect(controller.signal).toBe(signal)
    expect(signal.aborted).toBe(false)
    controller.abort(new Error('gone'))
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toEqual(new Error('gone'))
  })

  it('gives a signal read after the abort already aborted, with the reason, and says so before any read', () => {
    const controller = new LazyAbortController()
    controller.abort('client went away')
    expect(controller.aborted).toBe(true)
    expect(controller.signal.aborted).toBe(true)
    expect(controller.signal.reason).toBe('client went away')
  })

  it('uses the AbortError DOMException when no reason is given, as AbortController does', () => {
    const controller = new LazyAbortController()
    controller.abort()
    expect(controller.signal.reason).toBeInstanceOf(DOMException)
    expect((controller.signal.reason as DOMException).name).toBe('AbortError')
  })

  it('aborts once: a second abort changes neither the state nor the reason', () => {
    const controller = new LazyAbortController()
    const signal = controller.signal
    let events = 0
    signal.addEventListener('abort', () => (events += 1))
    controller.abort('first')
    controller.abort('second')
    expect(events).toBe(1)
    expect(signal.reason).toBe('first')
  })
})
