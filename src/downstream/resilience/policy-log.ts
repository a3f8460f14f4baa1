import type { FastifyBaseLogger } from 'fastify'
import type { ServiceName } from '../../config/services.js'

/**
 * Every resilience decision, logged once where it is made, with `service`
 * and `decision` as stable fields to filter on. Request-scoped decisions go
 * through `request.log` (which carries `reqId`); breaker transitions are per
 * service and go through the app logger with the `reqId` of the call that
 * caused them.
 */
export type PolicyDecision =
  | 'retry'
  | 'retry_denied'
  | 'retry_skipped'
  | 'breaker_open'
  | 'breaker_half_open'
  | 'breaker_closed'
  | 'circuit_rejected'
  | 'bulkhead_rejected'
  | 'deadline_abort'
  | 'budget_exceeded'

type Level = 'debug' | 'info' | 'warn'

/**
 * Levels: what an operator must see (a circuit opening) is warn; routine
 * protection under faults is info; per-call echoes of a known state (each
 * fast-fail while open, a retry skipped for lack of time) are debug so an
 * outage does not flood the log.
 */
const LEVELS: Readonly<Record<PolicyDecision, Level>> = {
  retry: 'info',
  retry_denied: 'info',
  retry_skipped: 'debug',
  breaker_open: 'warn',
  breaker_half_open: 'info',
  breaker_closed: 'info',
  circuit_rejected: 'debug',
  bulkhead_rejected: 'info',
  deadline_abort: 'info',
  budget_exceeded: 'warn',
}

const MESSAGES: Readonly<Record<PolicyDecision, string>> = {
  retry: 'retrying downstream call',
  retry_denied: 'retry budget exhausted, not retrying',
  retry_skipped: 'not enough time left to retry',
  breaker_open: 'circuit opened',
  breaker_half_open: 'circuit half-open, probing',
  breaker_closed: 'circuit closed',
  circuit_rejected: 'circuit open, failing fast',
  bulkhead_rejected: 'bulkhead full, rejecting call',
  deadline_abort: 'request deadline passed, call aborted',
  budget_exceeded: 'operation spent its downstream call budget; further calls refused',
}

export function logDecision(
  log: FastifyBaseLogger,
  service: ServiceName,
  decision: PolicyDecision,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  log[LEVELS[decision]]({ ...fields, service, decision }, MESSAGES[decision])
}
