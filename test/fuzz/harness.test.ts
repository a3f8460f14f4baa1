import fc from 'fast-check'
import { parse, validate } from 'graphql'
import { describe, expect, it } from 'vitest'
import { Choices } from './support/choices.js'
import { fragmentChain, fragmentFanOut, MAX_FRAGMENT_CHAIN, MAX_FRAGMENT_VISITS, schemaRequest } from './support/document-shapes.js'
import { checkNoServerError, checkSameOutcome, checkWithinBudget, InvariantBroken, RESPONSE_BUDGET_MS } from './support/invariants.js'
import type { Outcome } from './support/outcome.js'
import { fuzzSchema, schemaDocument } from './support/schema-documents.js'

/**
 * The fuzz harness's own checks (no app): the invariants fail on what they
 * must and pass the rest, and the generators stay replayable and within the
 * bounds that keep a run from stalling the machine.
 */
const outcome = (status: string, codes: string[] = [], extra: Partial<Outcome> = {}): Outcome => ({ status, codes, uncoded: 0, slowestMs: 5, ...extra })

describe('fuzz invariants', () => {
  it('(1) fails on 5xx, failure close codes, crash and unchecked-input codes, unregistered or missing codes', () => {
    for (const bad of [
      outcome('500'),
      outcome('503'),
      outcome('close 1011'),
      outcome('close 4500'),
      outcome('200', ['INTERNAL_SERVER_ERROR']),
      outcome('open', ['DOWNSTREAM_ERROR']),
      outcome('400', ['SOMETHING_NEW']),
      outcome('200', [], { uncoded: 1 }),
    ]) {
      expect(() => checkNoServerError(bad), JSON.stringify(bad)).toThrow(InvariantBroken)
    }
  })

  it('(1) passes client errors, protocol closes and load-dependent downstream codes', () => {
    for (const good of [
      outcome('400', ['BAD_REQUEST']),
      outcome('200', ['GRAPHQL_VALIDATION_FAILED']),
      outcome('405', ['METHOD_NOT_ALLOWED']),
      outcome('413'),
      outcome('431'),
      outcome('close 4400'),
      outcome('close 1009'),
      outcome('open', ['BAD_USER_INPUT', 'NOT_FOUND']),
      outcome('200', ['DOWNSTREAM_OVERLOADED']),
    ]) {
      expect(() => checkNoServerError(good), JSON.stringify(good)).not.toThrow()
    }
  })

  it('(2) fails when unanswered or slower than the budget', () => {
    expect(() => checkWithinBudget(outcome('no answer', [], { unanswered: 'no answer' }))).toThrow(InvariantBroken)
    expect(() => checkWithinBudget(outcome('200', [], { slowestMs: RESPONSE_BUDGET_MS + 1 }))).toThrow(InvariantBroken)
    expect(() => checkWithinBudget(outcome('200', [], { slowestMs: RESPONSE_BUDGET_MS - 1 }))).not.toThrow()
  })

  it('(4) compares status and codes, leaving out codes that depend on load', () => {
    expect(() => checkSameOutcome(outcome('200', ['BAD_USER_INPUT']), outcome('400', ['BAD_USER_INPUT']))).toThrow(InvariantBroken)
    expect(() => checkSameOutcome(outcome('200', []), outcome('200', ['NOT_FOUND']))).toThrow(InvariantBroken)
    expect(() => checkSameOutcome(outcome('200', ['NOT_FOUND']), outcome('200', ['DOWNSTREAM_OVERLOADED', 'NOT_FOUND']))).not.toThrow()
  })

  it('names failures of one kind alike whatever the timing', () => {
    const signature = (slowestMs: number) => {
      try {
        checkWithinBudget(outcome('200', [], { slowestMs }))
      } catch (error) {
        return (error as InvariantBroken).signature
      }
      return 'passed'
    }
    expect(signature(RESPONSE_BUDGET_MS + 10)).toBe(signature(RESPONSE_BUDGET_MS + 900))
  })

  it('tells failures of one code apart by their message, not by its particulars', () => {
    const signature = (message: string) => {
      try {
        checkNoServerError(outcome('500', ['INTERNAL_SERVER_ERROR'], { messages: { INTERNAL_SERVER_ERROR: message } }))
      } catch (error) {
        return (error as InvariantBroken).signature
      }
      return 'passed'
    }
    expect(signature('Unknown operation named "A".')).toBe(signature('Unknown operation named "Nope".'))
    expect(signature('Unknown operation named "A".')).not.toBe(signature('Maximum call stack size exceeded'))
  })
})

describe('fuzz generators', () => {
  it('replay: the same seed and path give the same input', () => {
    const first = fc.sample(schemaRequest, { seed: 42, numRuns: 20 })
    expect(fc.sample(schemaRequest, { seed: 42, numRuns: 20 })).toEqual(first)
  })

  it('a spent choice stream gives the plainest valid document', () => {
    const request = schemaDocument(new Choices([]))
    expect(validate(fuzzSchema, parse(request.query))).toEqual([])
  })

  it('schema-built documents are valid often enough to reach execution, and broken often enough to test validation', () => {
    const samples = fc.sample(schemaRequest, { seed: 7, numRuns: 120 })
    const valid = samples.filter((request) => {
      try {
        return validate(fuzzSchema, parse(request.query)).length === 0
      } catch {
        return false
      }
    }).length
    expect(valid).toBeGreaterThan(35)
    expect(valid).toBeLessThan(110)
  })

  it('fragment graphs stay within the visit bound, chains within their length', () => {
    for (const request of fc.sample(fragmentFanOut, { seed: 3, numRuns: 300 })) {
      const fragments = request.query.match(/^fragment /gm)?.length ?? 0
      const fanOut = request.query.split('\n').find((line) => line.startsWith('fragment F0 '))?.match(/\.\.\.F1\b/g)?.length ?? 0
      // The last fragment spreads nothing: a walk visits fanOut^(fragments - 1) leaves.
      expect(Math.max(1, fanOut) ** (fragments - 1)).toBeLessThanOrEqual(MAX_FRAGMENT_VISITS)
    }
    for (const request of fc.sample(fragmentChain, { seed: 3, numRuns: 50 })) {
      expect(request.query.match(/^fragment /gm)?.length ?? 0).toBeLessThanOrEqual(MAX_FRAGMENT_CHAIN)
    }
  })
})
