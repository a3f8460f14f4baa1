import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import { clientMessage, statusOf } from '../errors.js'
import { operationCost } from './cost.js'
import type { RateLimiter, RateVerdict } from './rate-limiter.js'
import { createWaitingCallers, type WaitingCallers } from './waiting-callers.js'

/**
 * `extensions.cost` of a response, Shopify's shape: what the operation cost
 * and, with rate limiting on, the caller's bucket after it, so a client can
 * pace itself.
 */
export interface CostReport {
  readonly requestedQueryCost: number
  readonly throttleStatus?: {
    readonly maximumAvailable: number
    /** Points left after this operation (refused: before it, nothing was taken). */
    readonly currentlyAvailable: number
    /** Points regained per second. */
    readonly restoreRate: number
  }
}

export interface OperationCharge {
  readonly schema: GraphQLSchema
  readonly document: DocumentNode
  readonly operation: OperationDefinitionNode
  /** The coerced variables (document-admission.ts). */
  readonly variables: Readonly<Record<string, unknown>>
  /** Whose bucket pays: the token's subject, else the client's address (callerKey). */
  readonly caller: string
  /**
   * Let an operation above GRAPHQL_MAX_COST through (it is still charged its
   * cost). Trusted documents (persisted operations) set it: the server
   * vouched for them, and their cost is known when they are listed.
   */
  readonly skipCostLimit?: undefined | boolean
}

export type GateVerdict =
  | { readonly admitted: true; readonly cost: CostReport; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly admitted: false
      readonly error: GraphQLError
      /** The registry's status for the error's code. */
      readonly status: number
      readonly cost: CostReport
      readonly headers: Readonly<Record<string, string>>
    }

export interface OperationGate {
  /**
   * Prices the operation and charges the caller's bucket; above the cost
   * limit it is refused and still charged (capped at the bucket), so sending
   * over-cost documents is no way around the rate limit. Nothing downstream
   * has run yet.
   */
  admit(charge: OperationCharge): Promise<GateVerdict>
  /** ms until a caller answered RATE_LIMITED may be served again (its Retry-After); 0: serve it. */
  waitLeftMs(caller: string): number
}

/**
 * Told each decision as it is made (metrics). Called with constants only, so
 * a meter can count without building a label per operation.
 */
export interface GateMeter {
  /** Every priced operation, admitted or refused. */
  priced(cost: number): void
  /** Refused for its cost; its bucket is charged all the same. */
  overCost(): void
  /** A bucket's decision, and which buckets answered. */
  decided(allowed: boolean, store: RateVerdict['store']): void
}

export interface OperationGateOptions {
  /** GRAPHQL_MAX_COST; 0: no limit. */
  readonly maxCost: number
  /** null: rate limiting off (no bucket, no throttleStatus, no headers). */
  readonly limiter: RateLimiter | null
  /** @default none */
  readonly meter?: undefined | GateMeter
  /** Callers held in the Retry-After note (waiting-callers.ts). @default 100_000 */
  readonly maxWaitingCallers?: undefined | number
  /** ms clock for the Retry-After note. @default performance.now */
  readonly now?: undefined | (() => number)
}

/** The key of a caller's bucket: a verified subject, else the client address fastify derived (TRUST_PROXY). */
export const callerKey = (subject: string | null, ip: string): string => (subject === null ? `ip:${ip}` : `sub:${subject}`)

export function createOperationGate(options: OperationGateOptions): OperationGate {
  const { maxCost, limiter, meter } = options
  const waiting: WaitingCallers = createWaitingCallers({ max: options.maxWaitingCallers ?? 100_000, now: options.now })

  function rateLimited(caller: string, cost: number, verdict: RateVerdict): GateVerdict {
    waiting.tell(caller, verdict.waitMs)
    const report = costReport(cost, verdict)
    const error = new GraphQLError(clientMessage('RATE_LIMITED', undefined), {
      extensions: { code: 'RATE_LIMITED', retryAfterMs: verdict.waitMs, cost: report },
    })
    const headers = { ...rateLimitHeaders(verdict), 'retry-after': String(retryAfterS(verdict.waitMs)) }
    return { admitted: false, error, status: statusOf('RATE_LIMITED'), cost: report, headers }
  }

  return {
    async admit(charge) {
      const cost = operationCost(charge.schema, charge.document, charge.operation, charge.variables)
      meter?.priced(cost)
      if (maxCost > 0 && cost > maxCost && charge.skipCostLimit !== true) {
        meter?.overCost()
        const error = new GraphQLError(`The operation costs ${cost}; at most ${maxCost} is accepted.`, {
          extensions: { code: 'COST_LIMIT_EXCEEDED', cost, maxCost },
        })
        const status = statusOf('COST_LIMIT_EXCEEDED')
        if (limiter === null) return { admitted: false, error, status, cost: { requestedQueryCost: cost }, headers: {} }
        const verdict = await limiter.charge(charge.caller, cost)
        meter?.decided(verdict.allowed, verdict.store)
        if (!verdict.allowed) return rateLimited(charge.caller, cost, verdict)
        return { admitted: false, error, status, cost: costReport(cost, verdict), headers: rateLimitHeaders(verdict) }
      }
      if (limiter === null) return { admitted: true, cost: { requestedQueryCost: cost }, headers: {} }
      const verdict = await limiter.charge(charge.caller, cost)
      meter?.decided(verdict.allowed, verdict.store)
      if (!verdict.allowed) return rateLimited(charge.caller, cost, verdict)
      return { admitted: true, cost: costReport(cost, verdict), headers: rateLimitHeaders(verdict) }
    },
    waitLeftMs: (caller) => (limiter === null ? 0 : waiting.waitLeftMs(caller)),
  }
}

function costReport(cost: number, verdict: RateVerdict): CostReport {
  return {
    requestedQueryCost: cost,
    throttleStatus: {
      maximumAvailable: verdict.policy.capacity,
      currentlyAvailable: Math.floor(verdict.remaining),
      restoreRate: verdict.policy.refillPerSecond,
    },
  }
}

/** Whole seconds, rounded up: a client that waits that long is served. */
export const retryAfterS = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1_000))

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy
 * as a quota `q` over the window `w` a full bucket refills in, and now the
 * points `r` left and the seconds `t` until the bucket is full again. Quota
 * units are cost points, not requests.
 */
function rateLimitHeaders(verdict: RateVerdict): Record<string, string> {
  const { capacity, refillPerSecond } = verdict.policy
  const window = Math.ceil(capacity / refillPerSecond)
  const untilFull = Math.ceil((capacity - verdict.remaining) / refillPerSecond)
  return {
    'ratelimit-policy': `"cost";q=${Math.floor(capacity)};w=${window}`,
    ratelimit: `"cost";r=${Math.floor(verdict.remaining)};t=${Math.max(0, untilFull)}`,
  }
}
