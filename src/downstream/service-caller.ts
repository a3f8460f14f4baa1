import type { Dispatcher } from 'undici'
import type { ServiceName } from '../config/services.js'
import type { CallContext } from './call-context.js'
import { CallRun, type CallerSettings } from './call-run.js'
import type { HttpCall } from './http-exchange.js'
import { createServicePolicy, type ServicePolicy } from './resilience/service-policy.js'

/** Sends calls to one downstream service and turns every failure into a DownstreamError. */
export interface ServiceCaller {
  readonly service: ServiceName
  /**
   * Resolves with the 2xx JSON body (unchecked: clients check it against its
   * contract). Rejects with a DownstreamError; with REQUEST_ABORTED as soon as
   * `ctx.signal` aborts, which also cancels the request in flight.
   */
  call(call: HttpCall, ctx: CallContext): Promise<unknown>
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

function positiveMs(service: ServiceName, name: string, value: number): number {
  if (Number.isFinite(value) && value > 0) return value
  throw new TypeError(`createServiceCaller(${service}): ${name} must be a positive number, got ${String(value)}`)
}

export function createServiceCaller(options: ServiceCallerOptions): ServiceCaller {
  const { service, dispatcher } = options
  const timeoutMs = positiveMs(service, 'timeoutMs', options.timeoutMs)
  const settings: CallerSettings = {
    service,
    dispatcher,
    timeoutMs,
    attemptTimeoutMs: positiveMs(service, 'attemptTimeoutMs', options.attemptTimeoutMs ?? timeoutMs),
    policy: options.policy ?? createServicePolicy({ service }),
    random: options.random ?? Math.random,
  }
  return {
    service,
    call: (call, ctx) => new Promise((resolve, reject) => new CallRun(settings, call, ctx, resolve, reject).start()),
  }
}
