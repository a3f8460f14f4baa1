import { Observable, catchError, defer, finalize, map, retry, throwError, timeout, timer, type MonoTypeOperatorFunction } from 'rxjs'
import type { Dispatcher } from 'undici'
import type { ServiceName } from '../config/services.js'
import type { CallContext } from './call-context.js'
import { DownstreamError, fromStatus, fromTransportError } from './errors.js'
import { fromHttpCall, type HttpCall } from './http-source.js'
import { fullJitterDelayMs } from './resilience/backoff.js'
import { failureOutcome, isRetryable } from './resilience/outcome.js'
import { logDecision } from './resilience/policy-log.js'
import { createServicePolicy, type ServicePolicy } from './resilience/service-policy.js'

/** Sends calls to one downstream service and turns every failure into a DownstreamError. */
export interface ServiceCaller {
  readonly service: ServiceName
  /**
   * Cold: nothing is sent until subscribed; unsubscribing aborts the request.
   * Emits the 2xx JSON body (unvalidated) once, then completes.
   */
  call(call: HttpCall, ctx: CallContext): Observable<unknown>
}

export interface ServiceCallerOptions {
  readonly service: ServiceName
  /** One keep-alive pool per service, injected so tests can pass a MockPool. */
  readonly dispatcher: Dispatcher
  /**
   * Time budget of one call in ms, from subscription to the parsed body, with
   * every attempt, queueing and backoff included (Envoy's route timeout). The
   * call gets min(timeoutMs, time left to the request deadline).
   */
  readonly timeoutMs: number
  /**
   * Limit of one attempt in ms (Envoy's per_try_timeout). Below `timeoutMs` it
   * leaves room to retry a timed-out attempt within the call's budget.
   * @default timeoutMs
   */
  readonly attemptTimeoutMs?: undefined | number
  /** The service's shared breaker, bulkhead, retry budget and stats. @default a new policy with default settings */
  readonly policy?: undefined | ServicePolicy
  /** Source of backoff jitter, in [0, 1). @default Math.random */
  readonly random?: undefined | (() => number)
}

/** Errors the subscriber when `signal` aborts; the teardown then aborts the HTTP request. */
export function abortWhen<T>(signal: AbortSignal, service: ServiceName): MonoTypeOperatorFunction<T> {
  const aborted = (): DownstreamError =>
    new DownstreamError('REQUEST_ABORTED', service, 'the client went away before the call finished')
  return (source) =>
    new Observable<T>((subscriber) => {
      if (signal.aborted) {
        subscriber.error(aborted())
        return undefined
      }
      const onAbort = (): void => subscriber.error(aborted())
      signal.addEventListener('abort', onAbort, { once: true })
      const inner = source.subscribe(subscriber)
      return () => {
        signal.removeEventListener('abort', onAbort)
        inner.unsubscribe()
      }
    })
}

interface SettleHandlers {
  value(): void
  error(error: unknown): void
  /** Unsubscribed before an outcome: nothing was learned about the service. */
  cancel(): void
}

/** Reports how an attempt ended exactly once, including "it was cancelled". */
function settle<T>(handlers: SettleHandlers): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let settled = false
      const once = (report: () => void): void => {
        if (settled) return
        settled = true
        report()
      }
      const inner = source.subscribe({
        next: (value) => {
          once(handlers.value)
          subscriber.next(value)
        },
        error: (error: unknown) => {
          once(() => handlers.error(error))
          subscriber.error(error)
        },
        complete: () => {
          once(handlers.value)
          subscriber.complete()
        },
      })
      return () => {
        inner.unsubscribe()
        once(handlers.cancel)
      }
    })
}

function positiveMs(service: ServiceName, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`createServiceCaller(${service}): ${name} must be a positive number, got ${String(value)}`)
  }
  return value
}

/**
 * The per-service call pipeline, outermost first: client abort → retry (GET
 * only, full-jitter backoff, retry budget) → per attempt: deadline check →
 * circuit breaker → bulkhead → attempt timeout → HTTP. Every exit path tears
 * down what is inside it, so an abort, a timeout or the request deadline
 * frees the queue place, the breaker probe slot and the socket.
 */
export function createServiceCaller(options: ServiceCallerOptions): ServiceCaller {
  const { service, dispatcher } = options
  const timeoutMs = positiveMs(service, 'timeoutMs', options.timeoutMs)
  const attemptTimeoutMs = positiveMs(service, 'attemptTimeoutMs', options.attemptTimeoutMs ?? timeoutMs)
  const policy = options.policy ?? createServicePolicy({ service })
  const random = options.random ?? Math.random
  const { breaker, bulkhead, retryBudget, now } = policy

  function runCall(call: HttpCall, ctx: CallContext): Observable<unknown> {
    const request: HttpCall = { ...call, headers: { ...call.headers, 'x-request-id': ctx.requestId } }
    const startedAt = now()
    const deadlineAt = ctx.deadline?.expiresAt ?? Number.POSITIVE_INFINITY
    const legEnd = Math.min(startedAt + timeoutMs, deadlineAt)
    // The request deadline, not the service's own timeout, ends this call.
    const deadlineBinds = deadlineAt < startedAt + timeoutMs
    let holdsRetryToken = false
    let deadlineLogged = false
    let lastDeadlineCut = false

    const legTimeout = (sent: boolean): DownstreamError => {
      if (!deadlineBinds) {
        return new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service did not answer within ${timeoutMs} ms`)
      }
      if (!deadlineLogged) {
        deadlineLogged = true
        logDecision(ctx.log, service, 'deadline_abort', { inFlight: sent, method: call.method })
      }
      return new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service call cut off by the request deadline`)
    }

    const attempt = defer(() => {
      const left = legEnd - now()
      if (left <= 0) {
        lastDeadlineCut = deadlineBinds
        return throwError(() => legTimeout(false))
      }
      const limit = Math.min(attemptTimeoutMs, left)
      const deadlineCut = deadlineBinds && limit < attemptTimeoutMs
      lastDeadlineCut = deadlineCut
      const permit = breaker.tryAcquire(ctx.requestId)
      if (permit === null) {
        logDecision(ctx.log, service, 'circuit_rejected')
        return throwError(() => new DownstreamError('DOWNSTREAM_CIRCUIT_OPEN', service, `${service} service circuit is open`))
      }
      let sentAt: number | null = null
      const http = defer(() => {
        sentAt = now()
        return fromHttpCall(dispatcher, request)
      })
      return bulkhead.run(http).pipe(
        timeout({
          first: limit,
          with: () =>
            throwError(() =>
              limit < attemptTimeoutMs
                ? legTimeout(sentAt !== null)
                : new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service did not answer within ${attemptTimeoutMs} ms`),
            ),
        }),
        map((answer) => {
          if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.body
          throw fromStatus(service, answer.statusCode, answer.body)
        }),
        catchError((error: unknown) => throwError(() => fromTransportError(service, error))),
        settle({
          value: () => {
            breaker.record(permit, 'success', ctx.requestId)
            if (sentAt !== null) policy.recordAttempt('success', now() - sentAt)
          },
          error: (error) => {
            if (sentAt === null && error instanceof DownstreamError && error.code === 'DOWNSTREAM_OVERLOADED') {
              logDecision(ctx.log, service, 'bulkhead_rejected', { inFlight: bulkhead.inFlight, queued: bulkhead.queued })
            }
            const outcome = failureOutcome({ error, sent: sentAt !== null, deadlineCut })
            breaker.record(permit, outcome, ctx.requestId)
            if (sentAt !== null && outcome !== 'ignore') policy.recordAttempt(outcome, now() - sentAt)
          },
          cancel: () => breaker.record(permit, 'ignore', ctx.requestId),
        }),
      )
    })

    const retryDelay = (error: unknown, retryCount: number): Observable<unknown> => {
      if (!isRetryable({ error, deadlineCut: lastDeadlineCut })) return throwError(() => error)
      const delayMs = fullJitterDelayMs(retryCount - 1, policy.retry, random)
      const leftAfterDelay = legEnd - now() - delayMs
      // A retry with less time than the service usually needs would most likely be cut off: load for nothing.
      const medianMs = policy.medianLatencyMs() ?? 0
      if (leftAfterDelay <= medianMs) {
        logDecision(ctx.log, service, 'retry_skipped', { leftMs: Math.round(leftAfterDelay), medianMs: Math.round(medianMs) })
        return throwError(() => error)
      }
      if (!holdsRetryToken) {
        if (!retryBudget.tryAcquire()) {
          logDecision(ctx.log, service, 'retry_denied', { ...retryBudget.snapshot() })
          return throwError(() => error)
        }
        holdsRetryToken = true
      }
      const code = error instanceof DownstreamError ? error.code : undefined
      logDecision(ctx.log, service, 'retry', { retry: retryCount, delayMs: Math.round(delayMs), code, path: call.path })
      return timer(delayMs)
    }

    retryBudget.begin()
    // Only GET is idempotent here; POST/PUT are never retried (PUT /inventory changes stock).
    const retries = call.method === 'GET' ? policy.retry.maxRetries : 0
    return attempt.pipe(
      retry({ count: retries, delay: retryDelay }),
      finalize(() => {
        retryBudget.end()
        if (holdsRetryToken) retryBudget.release()
      }),
    )
  }

  return {
    service,
    call(call: HttpCall, ctx: CallContext): Observable<unknown> {
      return defer(() => runCall(call, ctx)).pipe(abortWhen(ctx.signal, service))
    },
  }
}
