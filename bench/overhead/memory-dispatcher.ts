import { Dispatcher, Pool } from 'undici'

interface Recorded {
  readonly statusCode: number
  readonly body: Buffer
}

const JSON_RAW_HEADERS = [Buffer.from('content-type'), Buffer.from('application/json; charset=utf-8')]
const noop = (): void => {}

/**
 * An undici Dispatcher that answers GETs from memory: the first request for a
 * path goes to the real service and is recorded, every later one is replayed
 * on the next macrotask. With every path recorded, a load on the BFF measures
 * its own work per query, without sockets or the mocks sharing the CPU.
 * Speaks both handler APIs: the BFF dispatches with the new one, the
 * hand-written baseline's `pool.request()` with the legacy one.
 */
export class MemoryDispatcher extends Dispatcher {
  readonly #origin: Pool
  readonly #recorded = new Map<string, Recorded>()
  #misses = 0

  constructor(origin: string) {
    super()
    this.#origin = new Pool(origin, { connections: 64 })
  }

  /** Requests that had to go to the real service. */
  get misses(): number {
    return this.#misses
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // Both the BFF (`%2C`) and the baseline (`,`) spell batch ids their own way.
    const key = `${options.method} ${decodeURIComponent(options.path)}`
    const recorded = options.method === 'GET' ? this.#recorded.get(key) : undefined
    if (recorded !== undefined) {
      setImmediate(() => replay(recorded, handler))
      return true
    }
    this.#misses += 1
    this.#origin
      .request({ method: options.method, path: options.path, headers: options.headers ?? null, body: options.body ?? null })
      .then(async (response) => {
        const answer = { statusCode: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) }
        if (options.method === 'GET') this.#recorded.set(key, answer)
        replay(answer, handler)
      })
      .catch((error: unknown) => fail(handler, error instanceof Error ? error : new Error(String(error))))
    return true
  }

  override close(): Promise<void> {
    // Closed by the BFF's onClose and again by the bench: the second is a no-op.
    return this.#origin.closed || this.#origin.destroyed ? Promise.resolve() : this.#origin.close()
  }

  override destroy(): Promise<void> {
    return this.#origin.destroy()
  }
}

function replay(answer: Recorded, handler: Dispatcher.DispatchHandler): void {
  if (handler.onRequestStart !== undefined) {
    let aborted = false
    const controller: Dispatcher.DispatchController = {
      get aborted() {
        return aborted
      },
      paused: false,
      reason: null,
      abort: () => {
        aborted = true
      },
      pause: noop,
      resume: noop,
    }
    handler.onRequestStart(controller, {})
    if (aborted) return
    handler.onResponseStart?.(controller, answer.statusCode, { 'content-type': 'application/json; charset=utf-8' }, 'OK')
    handler.onResponseData?.(controller, answer.body)
    handler.onResponseEnd?.(controller, {})
    return
  }
  // A legacy handler whose signal fired while the answer waited aborts in onConnect and then
  // waits for onError, as a real dispatcher would send: without it its request never settles.
  let aborted: { readonly reason: Error } | null = null
  handler.onConnect?.((reason) => {
    aborted = { reason: reason instanceof Error ? reason : new Error(String(reason)) }
  })
  if (aborted !== null) {
    handler.onError?.((aborted as { readonly reason: Error }).reason)
    return
  }
  handler.onHeaders?.(answer.statusCode, JSON_RAW_HEADERS, noop, 'OK')
  handler.onData?.(answer.body)
  handler.onComplete?.([])
}

function fail(handler: Dispatcher.DispatchHandler, error: Error): void {
  if (handler.onResponseError !== undefined) handler.onResponseError({} as Dispatcher.DispatchController, error)
  else handler.onError?.(error)
}
