import type { FastifyBaseLogger } from 'fastify'
import type { ServiceName } from '../../config/services.js'
import type { CallBudget } from '../call-budget.js'
import { DownstreamError } from '../errors.js'
import { logDecision } from './policy-log.js'

/**
 * Takes one call from the operation's budget, or says why not: the refusal
 * fails the call before anything is sent, so the service's policies never
 * hear of it (one wide query cannot open a breaker). The first refusal of an
 * operation is logged, not each one.
 */
export function refuseOverBudget(budget: CallBudget | undefined, service: ServiceName, log: FastifyBaseLogger): DownstreamError | null {
  if (budget === undefined || budget.take()) return null
  if (budget.firstRefusal()) logDecision(log, service, 'budget_exceeded', { limit: budget.limit })
  return new DownstreamError('DOWNSTREAM_BUDGET_EXCEEDED', service, `operation spent its budget of ${budget.limit} downstream calls`)
}
