import { Subject, tap, type Subscription } from 'rxjs'
import { badUserInput, ClientError } from '../errors.js'
import { compareEventIds, isEventId, type EventLog, type LoggedEvent } from '../events/event-log.js'
import type { EventHub } from './event-hub.js'
import { routingKey } from './event-routing.js'
import { paceTo, type OverflowPolicy } from './pace.js'

export interface EventStreamOptions {
  readonly log: EventLog
  readonly hub: EventHub
  /** Routing keys the subscription's arguments select. */
  readonly keys: ReadonlySet<string>
  /**
   * Resume point: events after this id are replayed from the log first.
   * `'0-0'` replays everything retained; null means live events only.
   */
  readonly after: string | null
  readonly policy: OverflowPolicy<LoggedEvent>
  /** Log entries per replay read. @default 200 */
  readonly pageSize?: undefined | number
  readonly onConflated?: undefined | (() => void)
  /** The live queue went over its cap; the stream has ended. */
  readonly onOverflow: (error: unknown) => void
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined }

/** Rejects a malformed `after` (BAD_USER_INPUT) and one older than retention (EVENTS_EXPIRED). */
async function checkResumePoint(log: EventLog, after: string): Promise<void> {
  if (!isEventId(after)) {
    throw badUserInput(`after must be an eventId of the form <ms>-<seq>, got ${JSON.stringify(after.slice(0, 40))}`, { argument: 'after' })
  }
  if (after === '0-0') return
  let oldest: string | null
  try {
    oldest = await log.firstId()
  } catch (err) {
    throw new ClientError('EVENT_LOG_UNAVAILABLE', 'The event log cannot be read right now; retry shortly', {}, { cause: err })
  }
  // Ids are not contiguous, so "older than the oldest retained" is the only safe test: an event
  // between `after` and the oldest may have been trimmed, and that loss must not be silent.
  if (oldest !== null && compareEventIds(after, oldest) < 0) {
    throw new ClientError('EVENTS_EXPIRED', `Events after ${after} are no longer retained (oldest is ${oldest}); refetch, then subscribe without after`, {
      argument: 'after',
      oldestEventId: oldest,
    })
  }
}

/**
 * One subscription's events as a pull iterator: first those after `after`
 * still in the log (read page by page as the consumer pulls, so a long replay
 * holds one page in memory), then live ones from the hub.
 *
 * The seam: the live watch starts before the first replay read and queues
 * under the field's overflow policy. Replay stops at an empty page or once it
 * reaches the first live id; every event then passes an `id > last emitted`
 * check, so the overlap is dropped and nothing in between is skipped (ids are
 * totally ordered and both sources are in order).
 */
export async function openEventStream(options: EventStreamOptions): Promise<AsyncIterableIterator<LoggedEvent>> {
  const { log, hub, keys, after, policy } = options
  const pageSize = options.pageSize ?? 200
  if (after !== null) await checkResumePoint(log, after)

  const demand$ = new Subject<void>()
  let waiter: ((result: IteratorResult<LoggedEvent>) => void) | null = null
  let finished = false
  let lastEmitted: string | null = after
  let firstLiveId: string | null = null
  let replay: { position: string; page: LoggedEvent[]; exhausted: boolean } | null =
    after === null ? null : { position: after, page: [], exhausted: false }

  const settle = (result: IteratorResult<LoggedEvent>): void => {
    const resolve = waiter
    waiter = null
    resolve?.(result)
  }
  let live: Subscription | undefined
  const finish = (): void => {
    finished = true
    // Undefined when the hub completes during subscribe (closing): nothing to undo then.
    live?.unsubscribe()
    settle(DONE)
  }

  live = hub
    .watch(keys)
    .pipe(
      tap((event) => {
        firstLiveId ??= event.id
      }),
      paceTo(demand$, policy, { onConflated: options.onConflated }),
    )
    .subscribe({
      next(event) {
        if (lastEmitted !== null && compareEventIds(event.id, lastEmitted) <= 0) {
          // Already replayed: take the next one instead.
          demand$.next()
          return
        }
        lastEmitted = event.id
        settle({ done: false, value: event })
      },
      error(err: unknown) {
        finish()
        options.onOverflow(err)
      },
      complete: () => finish(),
    })

  async function nextReplayed(state: NonNullable<typeof replay>): Promise<LoggedEvent | null> {
    for (;;) {
      const next = state.page.shift()
      if (next !== undefined) return next
      if (state.exhausted || finished) return null
      let events: readonly LoggedEvent[]
      try {
        events = await log.read(state.position, { limit: pageSize })
      } catch (err) {
        throw new ClientError('EVENT_LOG_UNAVAILABLE', 'The event log cannot be read right now; resubscribe with after', {}, { cause: err })
      }
      const last = events.at(-1)
      if (last === undefined) {
        state.exhausted = true
        continue
      }
      state.position = last.id
      state.page = events.filter((logged) => keys.has(routingKey(logged.event) ?? ''))
      if (firstLiveId !== null && compareEventIds(last.id, firstLiveId) >= 0) state.exhausted = true
    }
  }

  const iterator: AsyncIterableIterator<LoggedEvent> = {
    async next(): Promise<IteratorResult<LoggedEvent>> {
      if (finished) return DONE
      if (replay !== null) {
        const replayed = await nextReplayed(replay)
        if (finished) return DONE
        if (replayed !== null) {
          lastEmitted = replayed.id
          return { done: false, value: replayed }
        }
        replay = null
      }
      return new Promise((resolve) => {
        waiter = resolve
        demand$.next()
      })
    },
    async return(): Promise<IteratorResult<LoggedEvent>> {
      if (!finished) finish()
      return DONE
    },
    [Symbol.asyncIterator]: () => iterator,
  }
  return iterator
}
