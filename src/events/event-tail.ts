import { Observable, share } from 'rxjs'
import type { FastifyBaseLogger } from 'fastify'
import type { EventLog, LoggedEvent } from './event-log.js'

export interface EventTailOptions {
  /** Start after this position; `'$'` means "only events appended from now on". @default '$' */
  readonly from?: undefined | string
  /** How long one blocking read waits before looping (ms). @default 5_000 */
  readonly blockMs?: undefined | number
  /** Pause after a failed read before the next try (ms). @default 500 */
  readonly retryDelayMs?: undefined | number
  readonly log: FastifyBaseLogger
}

/**
 * A hot stream of every event appended to the log after start-up, read in
 * order from this instance's own position (blocking reads, like XREAD BLOCK).
 * Shared: one read loop per instance whatever the number of subscribers; it
 * stops when the last one unsubscribes. A failing read is logged once per
 * outage and retried; the stream never errors.
 */
export function tailEvents(log: EventLog, options: EventTailOptions): Observable<LoggedEvent> {
  const blockMs = options.blockMs ?? 5_000
  const retryDelayMs = options.retryDelayMs ?? 500
  return new Observable<LoggedEvent>((subscriber) => {
    const controller = new AbortController()
    let failing = false
    const loop = async (): Promise<void> => {
      // Resolved inside the retry loop: a log that is down at start-up must not stop the tail for good.
      let position: string | null = options.from === undefined || options.from === '$' ? null : options.from
      while (!controller.signal.aborted) {
        try {
          position ??= await log.lastId()
          const events = await log.read(position, { blockMs, limit: 500, signal: controller.signal })
          if (failing) {
            failing = false
            options.log.info({ position }, 'event log reads recovered')
          }
          for (const event of events) {
            position = event.id
            subscriber.next(event)
          }
        } catch (err) {
          if (controller.signal.aborted) return
          if (!failing) {
            failing = true
            options.log.warn({ err, position }, 'event log read failed; retrying')
          }
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs))
        }
      }
    }
    loop().catch((err: unknown) => options.log.error({ err }, 'event tail stopped unexpectedly'))
    return () => controller.abort()
  }).pipe(share())
}
