import type { Dispatcher } from 'undici'
import type { ServiceName } from '../config/services.js'
import { withCaller, type CallContext } from './call-context.js'
import { DownstreamError, fromStatus, fromTransportError } from './errors.js'
import { sendHttp, type HttpCall, type HttpExchange, type HttpReceiver } from './http-exchange.js'
import { refuseOverBudget } from './resilience/budget-check.js'
import { AttemptTimer, type TimedAttempt } from './resilience/attempt-timer.js'
import type { BulkheadEntry } from './resilience/bulkhead.js'
import type { BreakerPermit } from './resilience/circuit-breaker.js'
import { deadlineError, timeLimitError } from './resilience/deadline.js'
import type { TraceSpan } from '../telemetry/trace-span.js'
import { clientOutcomeOf, failureOutcome } from './resilience/outcome.js'
import { logDecision } from './resilience/policy-log.js'
import { retryDelayMs } from './resilience/retry-decision.js'
import type { ServicePolicy } from './resilience/service-policy.js'
import type { ClientOutcome } from '../telemetry/outcomes.js'

/** What every call of one service shares. */
export interface CallerSettings {
  readonly service: ServiceName
  readonly dispatcher: Dispatcher
  readonly timeoutMs: number
  readonly attemptTimeoutMs: number
  readonly policy: ServicePolicy
  readonly random: () => number
}

/**
 * One call, outermost first: client abort → retry (GET only, full-jitter
 * backoff, retry budget) → per attempt: deadline check → circuit breaker →
 * bulkhead → attempt timeout → HTTP. Every exit path (answer, failure,
 * timeout, client abort) releases what the attempt holds: the
 * queue place or slot, the breaker's probe, the socket, the timers.
 *
 * Written as one state machine rather than an RxJS operator chain: a screen
 * makes eight calls, and the chain (defer, timeout, map, catchError, retry,
 * finalize and three custom operators) allocated a dozen subscribers per call
 * and was the BFF's largest cost after the GC it caused. It settles a promise
 * because every caller awaits one (DataLoader batches, cached lists);
 * cancellation comes through `ctx.signal`, which the shared cache fetches
 * already scope per flight.
 */
export class CallRun implements HttpReceiver, TimedAttempt {
  readonly #settings: CallerSettings
  readonly #call: HttpCall
  /** The call's headers plus `x-request-id` (one request followed across services) and the caller's token. */
  readonly #headers: Readonly<Record<string, string>>
  readonly #ctx: CallContext
  readonly #resolve: (body: unknown) => void
  readonly #reject: (error: unknown) => void
  readonly #legEnd: number
  /** The request deadline, not the service's own timeout, ends this call. */
  readonly #deadlineBinds: boolean
  readonly #retries: number
  #finished = false
  #retryCount = 0
  #holdsRetryToken = false
  #deadlineLogged = false
  #retryTimer: ReturnType<typeof setTimeout> | null = null
  #onAbort: (() => void) | null = null

  // The attempt in progress; all null between attempts.
  #permit: BreakerPermit | null = null
  #entry: BulkheadEntry | null = null
  #exchange: HttpExchange | null = null
  readonly #timer = new AttemptTimer()
  #sentAt: number | null = null
  /** The attempt waited in the bulkhead's queue before it was sent. */
  #queued = false
  #limit = 0
  #deadlineCut = false
  /** When the attempt began (policy clock), for its duration whether or not it was sent. */
  #attemptAt = 0
  /** The attempt's client span, when the call is traced. */
  #span: TraceSpan | null = null

  constructor(settings: CallerSettings, call: HttpCall, ctx: CallContext, resolve: (body: unknown) => void, reject: (error: unknown) => void) {
    this.#settings = settings
    this.#call = call
    this.#ctx = ctx
    this.#resolve = resolve
    this.#reject = reject
    this.#headers = withCaller(call.headers, ctx)
    const startedAt = settings.policy.now()
    const deadlineAt = ctx.deadline?.expiresAt ?? Number.POSITIVE_INFINITY
    this.#legEnd = Math.min(startedAt + settings.timeoutMs, deadlineAt)
    this.#deadlineBinds = deadlineAt < startedAt + settings.timeoutMs
    // Only GET is idempotent here; POST/PUT are never retried (PUT /inventory changes stock).
    this.#retries = call.method === 'GET' ? settings.policy.retry.maxRetries : 0
  }

  start(): void {
    const { signal, budget } = this.#ctx
    if (signal.aborted) {
      // Nothing was taken yet (no budget, no listener), so there is nothing to give back.
      this.#finished = true
      this.#reject(this.#aborted())
      return
    }
    const refused = refuseOverBudget(budget, this.#settings.service, this.#ctx.log)
    if (refused !== null) {
      this.#finished = true
      this.#reject(refused)
      return
    }
    this.#onAbort = () => this.#fail(this.#aborted())
    signal.addEventListener('abort', this.#onAbort, { once: true })
    this.#settings.policy.retryBudget.begin()
    this.#attempt()
  }

  #attempt(): void {
    const { policy, service, attemptTimeoutMs } = this.#settings
    const left = this.#legEnd - policy.now()
    if (left <= 0) {
      this.#deadlineCut = this.#deadlineBinds
      this.#retryOrFail(this.#legTimeout(false))
      return
    }
    const limit = Math.min(attemptTimeoutMs, left)
    this.#limit = limit
    this.#deadlineCut = this.#deadlineBinds && limit < attemptTimeoutMs
    this.#attemptAt = policy.now()
    // Optional chaining skips building the attributes when the call is not traced.
    this.#span =
      this.#ctx.trace?.child(this.#call.method, 'client', {
        'server.address': service,
        'http.request.method': this.#call.method,
        'url.path': this.#call.path,
        'http.request.resend_count': this.#retryCount,
        'bff.breaker.state': policy.breaker.state(),
      }) ?? null
    const permit = policy.breaker.tryAcquire(this.#ctx.requestId)
    if (permit === null) {
      logDecision(this.#ctx.log, service, 'circuit_rejected')
      const refused = new DownstreamError('DOWNSTREAM_CIRCUIT_OPEN', service, `${service} service circuit is open`)
      this.#attemptOver('circuit_open', refused)
      this.#retryOrFail(refused)
      return
    }
    this.#permit = permit
    const entry = policy.bulkhead.enter(() => this.#send())
    if (entry === null) {
      logDecision(this.#ctx.log, service, 'bulkhead_rejected', { inFlight: policy.bulkhead.inFlight, queued: policy.bulkhead.queued })
      this.#attemptFailed(fromTransportError(service, policy.bulkhead.rejection()))
      return
    }
    this.#entry = entry
    this.#queued = !entry.running
    // Time waiting for a bulkhead slot counts against the attempt.
    this.#timer.start(limit, this)
    if (entry.running) this.#send()
  }

  #send(): void {
    this.#sentAt = this.#settings.policy.now()
    const headers = this.#span === null ? this.#headers : { ...this.#headers, traceparent: this.#span.traceparent }
    const exchange = sendHttp(this.#settings.dispatcher, this.#call, this, headers)
    // undici may have reported the outcome before returning; then the attempt is already over.
    if (this.#permit !== null) this.#exchange = exchange
  }

  /** HttpReceiver: the service answered (any status). */
  answer(statusCode: number, body: unknown): void {
    if (this.#finished || this.#permit === null) return
    if (statusCode < 200 || statusCode >= 300) {
      this.#attemptFailed(fromStatus(this.#settings.service, statusCode, body))
      return
    }
    const sentAt = this.#sentAt
    this.#span?.setAttributes({ 'http.response.status_code': statusCode })
    this.#attemptOver('ok', null)
    this.#endAttempt('success')
    if (sentAt !== null) this.#settings.policy.recordAttempt('success', this.#settings.policy.now() - sentAt)
    this.#finish()
    this.#resolve(body)
  }

  /** HttpReceiver: transport failure or an unparseable body. */
  fail(error: unknown): void {
    if (this.#finished || this.#permit === null) return
    this.#attemptFailed(fromTransportError(this.#settings.service, error))
  }

  /** TimedAttempt: the request went out. */
  get sent(): boolean {
    return this.#sentAt !== null
  }

  /** TimedAttempt: the attempt's limit ran out. */
  expired(): void {
    if (this.#finished || this.#permit === null) return
    const { service, attemptTimeoutMs } = this.#settings
    // Time spent queued in our own bulkhead came out of the attempt: the service had less than its
    // limit, so this timeout is the BFF's load, not the service's fault (no breaker failure, no retry).
    if (this.#sentAt !== null && this.#queued) this.#deadlineCut = true
    this.#attemptFailed(this.#limit < attemptTimeoutMs ? this.#legTimeout(this.#sentAt !== null) : timeLimitError(service, attemptTimeoutMs))
  }

  /** The attempt ended in `error`: report it to the policies, then retry or fail. */
  #attemptFailed(error: DownstreamError): void {
    const sent = this.#sentAt !== null
    const sentAt = this.#sentAt
    const outcome = failureOutcome({ error, sent, deadlineCut: this.#deadlineCut })
    if (error.statusCode !== null) this.#span?.setAttributes({ 'http.response.status_code': error.statusCode })
    this.#attemptOver(clientOutcomeOf(error), error)
    this.#endAttempt(outcome)
    if (sentAt !== null && outcome !== 'ignore') this.#settings.policy.recordAttempt(outcome, this.#settings.policy.now() - sentAt)
    this.#retryOrFail(error)
  }

  /** Counts the attempt's outcome and duration (metrics) and ends its span. */
  #attemptOver(outcome: ClientOutcome, error: DownstreamError | null): void {
    const { policy } = this.#settings
    policy.attemptEnded(outcome, policy.now() - this.#attemptAt)
    const span = this.#span
    if (span === null) return
    this.#span = null
    span.setAttributes({ 'bff.outcome': outcome })
    span.end(error?.code)
  }

  /** Releases what the attempt holds and reports its outcome to the breaker, once. */
  #endAttempt(outcome: 'success' | 'failure' | 'ignore'): void {
    this.#timer.clear()
    const exchange = this.#exchange
    this.#exchange = null
    exchange?.cancel()
    const entry = this.#entry
    this.#entry = null
    entry?.release(outcome !== 'ignore')
    const permit = this.#permit
    this.#permit = null
    if (permit !== null) this.#settings.policy.breaker.record(permit, outcome, this.#ctx.requestId)
    this.#sentAt = null
    if (this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer)
      this.#retryTimer = null
    }
  }

  #retryOrFail(error: DownstreamError): void {
    if (this.#finished) return
    const delayMs =
      this.#retryCount >= this.#retries
        ? null
        : retryDelayMs(this.#settings, this.#ctx.log, {
            error, retryCount: this.#retryCount + 1, deadlineCut: this.#deadlineCut,
            callEnd: this.#legEnd, holdsToken: this.#holdsRetryToken, path: this.#call.path,
          })
    if (delayMs === null) return this.#fail(error)
    // retryDelayMs took a budget token for the call if it held none.
    this.#holdsRetryToken = true
    this.#retryCount += 1
    this.#settings.policy.counts.retries += 1
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null
      this.#attempt()
    }, delayMs)
  }

  /** The call's own time limit, or the request deadline when that comes first, is over. */
  #legTimeout(sent: boolean): DownstreamError {
    const { service, timeoutMs } = this.#settings
    if (!this.#deadlineBinds) return timeLimitError(service, timeoutMs)
    if (!this.#deadlineLogged) {
      this.#deadlineLogged = true
      logDecision(this.#ctx.log, service, 'deadline_abort', { inFlight: sent, method: this.#call.method })
    }
    return deadlineError(service)
  }

  #aborted(): DownstreamError {
    return new DownstreamError('REQUEST_ABORTED', this.#settings.service, 'the client went away before the call finished')
  }

  #fail(error: unknown): void {
    if (this.#finished) return
    // A client abort can come mid-attempt; what it cut short says nothing about the service.
    if (this.#permit !== null) this.#attemptOver('error', error instanceof DownstreamError ? error : null)
    this.#endAttempt('ignore')
    this.#finish()
    this.#reject(error)
  }

  #finish(): void {
    this.#finished = true
    if (this.#onAbort !== null) {
      this.#ctx.signal.removeEventListener('abort', this.#onAbort)
      this.#onAbort = null
    }
    const { retryBudget } = this.#settings.policy
    retryBudget.end()
    if (this.#holdsRetryToken) retryBudget.release()
  }
}

