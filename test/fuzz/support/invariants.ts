import { GRAPHQL_ERROR_CODES } from '../../../src/errors.js'
import type { Outcome } from './outcome.js'

/**
 * The invariants every fuzz property checks, one function each, so a failure
 * names the one that broke:
 * (1) no server error for client input, (2) every answer within a fixed
 * budget, (3) the process still serves a normal query, (4) the same input
 * gets the same status and the same error codes.
 */

/** Longest a single answer (or websocket step) may take. */
export const RESPONSE_BUDGET_MS = 2_000

/**
 * Codes a client's input may never produce while every downstream is healthy:
 * INTERNAL_SERVER_ERROR is a crash; DOWNSTREAM_ERROR means the input went
 * downstream unchecked and the downstream refused it.
 */
export const NEVER_FOR_CLIENT_INPUT: readonly string[] = ['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_ERROR']

/**
 * Codes that depend on load, timing or what is cached (queues, breakers,
 * deadlines, and the call budget: a second run finds some of its data in the
 * cache and makes fewer calls), not on the input alone: left out when the
 * same input is compared with itself.
 */
export const LOAD_DEPENDENT_CODES: readonly string[] = [
  'DOWNSTREAM_BUDGET_EXCEEDED',
  'SERVER_OVERLOADED',
  'DOWNSTREAM_OVERLOADED',
  'DOWNSTREAM_CIRCUIT_OPEN',
  'DOWNSTREAM_TIMEOUT',
  'DOWNSTREAM_UNAVAILABLE',
  'REQUEST_ABORTED',
]

/** Websocket close codes that mean the server failed: 1011 (RFC 6455 internal error) and graphql-ws' 4500. */
export const SERVER_FAILURE_CLOSE_CODES: readonly number[] = [1011, 4500]

const REGISTERED: ReadonlySet<string> = new Set(GRAPHQL_ERROR_CODES)

export class InvariantBroken extends Error {
  /** The invariant and what was observed, without timings: equal for failures of the same kind. */
  readonly signature: string

  constructor(invariant: string, detail: string, signature: string = `${invariant}: ${detail}`) {
    super(`${invariant}: ${detail}`)
    this.name = 'InvariantBroken'
    this.signature = signature
  }
}

const show = (outcome: Outcome): string => `status ${outcome.status}, codes [${outcome.codes.join(', ')}]`

/**
 * A message with its particulars (quoted names, numbers) blanked, for telling
 * failures of one code apart: "Unknown operation named "A"" and "... "B""
 * are one kind, a stack overflow is another.
 */
function messageKind(outcome: Outcome, key: string | undefined): string {
  const message = key === undefined ? Object.values(outcome.messages ?? {})[0] : outcome.messages?.[key]
  if (message === undefined || message === '') return ''
  return ` ("${message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 100)}")`
}

/** (1) No 5xx, no failure close code, no crash or unchecked-input code, every error coded from the registry. */
export function checkNoServerError(outcome: Outcome): void {
  const status = Number(outcome.status)
  if (Number.isInteger(status) && status >= 500) {
    throw new InvariantBroken('(1) no server error', `answered ${show(outcome)}${messageKind(outcome, undefined)}`, `(1) no server error: status ${status}${messageKind(outcome, undefined)}`)
  }
  const close = /^close (\d+)$/.exec(outcome.status)
  if (close !== null && SERVER_FAILURE_CLOSE_CODES.includes(Number(close[1]))) {
    const detail = `websocket closed with ${close[1]}${messageKind(outcome, 'close')}, codes [${outcome.codes.join(', ')}]`
    throw new InvariantBroken('(1) no server error', detail, `(1) no server error: websocket closed with ${close[1]}${messageKind(outcome, 'close')}`)
  }
  const forbidden = outcome.codes.filter((code) => NEVER_FOR_CLIENT_INPUT.includes(code))
  if (forbidden.length > 0) {
    // A websocket's close code after such an error depends on what else the sequence sent: not part of the kind.
    const where = Number.isInteger(status) ? ` with status ${status}` : ' on a websocket'
    const kind = `(1) no server error: client input got ${forbidden.join(', ')}${where}${messageKind(outcome, forbidden[0])}`
    throw new InvariantBroken('(1) no server error', `client input got ${forbidden.join(', ')} (${show(outcome)})${messageKind(outcome, forbidden[0])}`, kind)
  }
  const unregistered = outcome.codes.filter((code) => !REGISTERED.has(code))
  if (unregistered.length > 0) throw new InvariantBroken('(1) no server error', `codes outside src/errors.ts: ${unregistered.join(', ')}`)
  if (outcome.uncoded > 0) throw new InvariantBroken('(1) no server error', `${outcome.uncoded} error(s) without extensions.code (${show(outcome)})`)
}

/** (2) Answered, and within the budget. */
export function checkWithinBudget(outcome: Outcome): void {
  if (outcome.unanswered !== undefined) throw new InvariantBroken('(2) answer within budget', outcome.unanswered, '(2) answer within budget: none')
  if (outcome.slowestMs > RESPONSE_BUDGET_MS) {
    const detail = `took ${Math.round(outcome.slowestMs)} ms (budget ${RESPONSE_BUDGET_MS} ms), ${show(outcome)}`
    throw new InvariantBroken('(2) answer within budget', detail, `(2) answer within budget: slow, ${show(outcome)}`)
  }
}

/** (4) The second answer to the same input matches the first. */
export function checkSameOutcome(first: Outcome, second: Outcome): void {
  const stable = (outcome: Outcome) => outcome.codes.filter((code) => !LOAD_DEPENDENT_CODES.includes(code)).join(', ')
  if (first.status !== second.status || stable(first) !== stable(second)) {
    throw new InvariantBroken('(4) same input, same answer', `first ${show(first)}; then ${show(second)}`)
  }
}
