import { Observable, catchError, defer, map, throwError, timeout, type MonoTypeOperatorFunction } from 'rxjs'
import type { Dispatcher } from 'undici'
import type { ServiceName } from '../config/services.js'
import type { CallContext } from './call-context.js'
import { DownstreamError, fromStatus, fromTransportError } from './errors.js'
import { fromHttpCall, type HttpCall } from './http-source.js'

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
  /** Per-call time limit (ms), measured from subscription to the parsed body. */
  readonly timeoutMs: number
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

export function createServiceCaller(options: ServiceCallerOptions): ServiceCaller {
  const { service, dispatcher, timeoutMs } = options
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`createServiceCaller(${service}): timeoutMs must be a positive number, got ${String(timeoutMs)}`)
  }
  const timedOut = (): Observable<never> =>
    throwError(
      () => new DownstreamError('DOWNSTREAM_TIMEOUT', service, `${service} service did not answer within ${timeoutMs} ms`),
    )

  return {
    service,
    call(call: HttpCall, ctx: CallContext): Observable<unknown> {
      return defer(() =>
        fromHttpCall(dispatcher, { ...call, headers: { ...call.headers, 'x-request-id': ctx.requestId } }),
      ).pipe(
        timeout({ first: timeoutMs, with: timedOut }),
        map((answer) => {
          if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.body
          throw fromStatus(service, answer.statusCode, answer.body)
        }),
        catchError((error: unknown) => throwError(() => fromTransportError(service, error))),
        abortWhen(ctx.signal, service),
      )
    },
  }
}
