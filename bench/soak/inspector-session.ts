import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import WebSocket from 'ws'

/**
 * A minimal Chrome DevTools Protocol client for a node process started with
 * `--inspect=127.0.0.1:0`: the benchmark forces collections, reads memory and
 * takes heap snapshots from outside, so the BFF carries no test-only code.
 */
export interface InspectorSession {
  call(method: string, params?: undefined | Readonly<Record<string, unknown>>): Promise<unknown>
  /** Evaluates `expression` in the process (with the console API, so `require` works) and returns its JSON value. */
  evaluateJson(expression: string): Promise<unknown>
  /** Streams a heap snapshot (which runs a full collection first) into `path`. */
  writeHeapSnapshot(path: string): Promise<void>
  close(): Promise<void>
}

interface CdpMessage {
  readonly id?: number
  readonly method?: string
  readonly params?: Readonly<Record<string, unknown>>
  readonly result?: unknown
  readonly error?: { readonly message?: string }
}

/** The `ws://…` URL node prints on stderr as "Debugger listening on ws://127.0.0.1:<port>/<uuid>". */
export function debuggerUrlIn(stderr: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1] ?? null
}

export async function openInspectorSession(url: string): Promise<InspectorSession> {
  // A snapshot of a large heap arrives in many chunks; no payload cap on our side.
  const socket = new WebSocket(url, { maxPayload: 0 })
  await once(socket, 'open')
  let nextId = 0
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  const listeners = new Map<string, (params: Readonly<Record<string, unknown>>) => void>()
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as CdpMessage
    if (message.id !== undefined) {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(`inspector: ${message.error.message ?? 'error'}`))
      else waiter?.resolve(message.result)
      return
    }
    if (message.method !== undefined) listeners.get(message.method)?.(message.params ?? {})
  })
  socket.on('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('inspector connection closed'))
    pending.clear()
  })

  const call = (method: string, params: Readonly<Record<string, unknown>> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      nextId += 1
      pending.set(nextId, { resolve, reject })
      socket.send(JSON.stringify({ id: nextId, method, params }))
    })

  return {
    call,
    async evaluateJson(expression) {
      const reply = (await call('Runtime.evaluate', {
        expression: `JSON.stringify(${expression})`,
        includeCommandLineAPI: true,
        returnByValue: true,
      })) as { result?: { value?: unknown }; exceptionDetails?: { text?: string } }
      if (reply.exceptionDetails !== undefined || typeof reply.result?.value !== 'string') {
        throw new Error(`inspector: could not evaluate ${expression}: ${reply.exceptionDetails?.text ?? 'no value'}`)
      }
      return JSON.parse(reply.result.value) as unknown
    },
    async writeHeapSnapshot(path) {
      const file = createWriteStream(path)
      listeners.set('HeapProfiler.addHeapSnapshotChunk', (params) => {
        if (typeof params['chunk'] === 'string') file.write(params['chunk'])
      })
      try {
        await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
      } finally {
        listeners.delete('HeapProfiler.addHeapSnapshotChunk')
        file.end()
        await once(file, 'close')
      }
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return
      socket.close()
      await once(socket, 'close')
    },
  }
}
