import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { drawLatency, type ActiveFaults } from './fault-settings.js'
import type { RequestStats } from './request-stats.js'

export interface FaultInjectorOptions {
  readonly stats: RequestStats
  /** Read per request, so changes through `/__admin/faults` apply at once. */
  readonly faults: () => ActiveFaults
  readonly random: () => number
}

export interface FaultInjector {
  /** onRequest hook for the service's (non-admin) routes: counts the request, then delays, fails or hangs it. */
  onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void
  /**
   * Drops every request still held by a delay or a hang. Run from `preClose`:
   * `server.close()` waits for open requests, and a hung one would wait forever.
   */
  releaseHeld(): void
}

interface Held {
  readonly request: FastifyRequest
  timer: NodeJS.Timeout | undefined
}

/**
 * Callback-style on purpose: with no faults set the hook finishes synchronously,
 * which keeps the mocks cheap at benchmark rates.
 */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const { stats, faults, random } = options
  const held = new Set<Held>()

  function answer(reply: FastifyReply, active: ActiveFaults, done: HookHandlerDoneFunction): void {
    if (active.errorRate > 0 && random() < active.errorRate) {
      // Responding without calling done() ends the lifecycle here (fastify Hooks.md, "Respond to a request from a hook").
      void reply.code(active.errorStatus).send({ error: 'injected_fault' })
      return
    }
    done()
  }

  /** Keeps the request unanswered: for good (`after` null, a hang) or for `after.ms`, then runs `after.then`. */
  function hold(request: FastifyRequest, reply: FastifyReply, after: { readonly ms: number; readonly then: () => void } | null): void {
    const entry: Held = { request, timer: undefined }
    held.add(entry)
    const onGone = (): void => {
      clearTimeout(entry.timer)
      held.delete(entry)
      // Nobody is listening any more; hijack so fastify never tries to answer on a dead socket.
      if (!reply.sent) reply.hijack()
    }
    reply.raw.once('close', onGone)
    if (after === null) {
      reply.hijack()
      return
    }
    entry.timer = setTimeout(() => {
      held.delete(entry)
      reply.raw.off('close', onGone)
      after.then()
    }, after.ms)
  }

  return {
    onRequest(request, reply, done) {
      const route = request.routeOptions.url
      if (route === undefined) {
        done()
        return
      }
      const header = request.headers['x-request-id']
      const traceparent = request.headers['traceparent']
      const record = stats.begin(`${request.method} ${route}`, typeof header === 'string' ? header : null, typeof traceparent === 'string' ? traceparent : null)
      // 'close' fires once: after the response is flushed, or when the client aborts first.
      reply.raw.once('close', () => stats.end(record))

      const active = faults()
      if (active.hangRate > 0 && random() < active.hangRate) {
        hold(request, reply, null)
        return
      }
      const ms = drawLatency(active.latencyMs, random)
      if (ms > 0) hold(request, reply, { ms, then: () => answer(reply, active, done) })
      else answer(reply, active, done)
    },

    releaseHeld() {
      for (const entry of held) {
        clearTimeout(entry.timer)
        entry.request.raw.socket?.destroy()
      }
      held.clear()
    },
  }
}
