/** What an attempt's timer reports to. */
export interface TimedAttempt {
  /** The request was sent, so an answer may be waiting in its socket. */
  readonly sent: boolean
  /** The attempt's time is up. */
  expired(): void
}

/**
 * One attempt's time limit. Expired timers run before the event loop polls
 * for I/O, so when the loop lags (a starved core, a burst of the BFF's own
 * work) an answer can sit unread in the socket while its attempt's limit runs
 * out, and the timer would win: a timeout the service did not cause. A sent
 * attempt therefore gets one last look, after that turn's poll, before it is
 * declared expired; an attempt still queued for a slot has nothing to look
 * for and expires at once.
 */
export class AttemptTimer {
  #timer: ReturnType<typeof setTimeout> | null = null
  #lastLook: ReturnType<typeof setImmediate> | null = null

  /** Calls `attempt.expired()` once `ms` have passed (and, if it was sent, one I/O poll after), unless cleared. */
  start(ms: number, attempt: TimedAttempt): void {
    this.clear()
    this.#timer = setTimeout(() => {
      this.#timer = null
      if (!attempt.sent) attempt.expired()
      else
        this.#lastLook = setImmediate(() => {
          this.#lastLook = null
          attempt.expired()
        })
    }, ms)
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    if (this.#lastLook !== null) clearImmediate(this.#lastLook)
    this.#timer = null
    this.#lastLook = null
  }
}
