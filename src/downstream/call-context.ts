import type { FastifyBaseLogger } from 'fastify'
import type { SignalSource } from '../lib/lazy-abort.js'
import type { TraceSpan } from '../telemetry/trace-span.js'
import type { CallBudget } from './call-budget.js'
import type { HttpCall } from './http-exchange.js'
import type { Deadline } from './resilience/deadline.js'

/** What every downstream call needs to know about the GraphQL request it serves. */
export interface CallContext {
  /** Forwarded as `x-request-id` so one request can be traced across services. */
  readonly requestId: string
  /** Aborted when the client goes away; in-flight calls are then cancelled. */
  readonly signal: AbortSignal
  readonly log: FastifyBaseLogger
  /**
   * The caller's bearer token, relayed as `Authorization: Bearer …` so the
   * services check who is asking themselves (docs/identity.md). Absent for
   * anonymous callers. Never logged.
   */
  readonly bearerToken?: undefined | string | null
  /**
   * When the whole request must have answered. Each call gets min(its own
   * timeout, time left) and is aborted with DOWNSTREAM_TIMEOUT when it passes.
   * Absent (work outside a GraphQL request): only the per-call timeouts apply.
   */
  readonly deadline?: undefined | Deadline
  /**
   * Calls the operation may still make; past it a call fails with
   * DOWNSTREAM_BUDGET_EXCEEDED without being sent. Absent (background
   * refreshes, work outside an operation): unbounded.
   */
  readonly budget?: undefined | CallBudget
  /** The span the calls are made under: each attempt is a client span below it. Absent: tracing is off. */
  readonly trace?: undefined | TraceSpan
}

/**
 * The call context of one GraphQL request. Its signal comes from `abort`
 * when first read, so a request that makes no downstream call never creates
 * one (see lazy-abort.ts).
 */
export class RequestCallContext implements CallContext {
  readonly requestId: string
  readonly log: FastifyBaseLogger
  readonly deadline: Deadline | undefined
  readonly budget: CallBudget | undefined
  readonly bearerToken: string | null
  readonly trace: TraceSpan | undefined
  readonly #abort: SignalSource

  constructor(
    requestId: string,
    log: FastifyBaseLogger,
    abort: SignalSource,
    deadline?: undefined | Deadline,
    budget?: undefined | CallBudget,
    bearerToken: string | null = null,
    trace?: undefined | TraceSpan,
  ) {
    this.requestId = requestId
    this.log = log
    this.deadline = deadline
    this.budget = budget
    this.bearerToken = bearerToken
    this.trace = trace
    this.#abort = abort
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }
}

/** `x-request-id` always; `authorization` when the caller is signed in (the services check it themselves). */
export function withCaller(headers: HttpCall['headers'], ctx: CallContext): Readonly<Record<string, string>> {
  const token = ctx.bearerToken
  if (token === undefined || token === null) return headers === undefined ? { 'x-request-id': ctx.requestId } : { ...headers, 'x-request-id': ctx.requestId }
  return { ...headers, 'x-request-id': ctx.requestId, authorization: `Bearer ${token}` }
}
