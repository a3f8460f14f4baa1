/**
 * How many downstream calls one GraphQL operation may still make. A client
 * chooses how wide a query fans out (a search of 100 products, their 100
 * reviews each, each author's 100 followers…): without a cap one request
 * can send thousands of calls, fill every bulkhead and starve the callers
 * sharing them. Calls served from the cache cost nothing; a call the budget
 * refuses is never sent, so it says nothing about the service either.
 */
export interface CallBudget {
  /** Calls the operation may make in all. */
  readonly limit: number
  /** Takes one call; false once the budget is spent (the caller then fails that call without sending it). */
  take(): boolean
  /** Calls asked for so far, refused ones included: 0 means the operation sent nothing downstream itself. */
  readonly asked: number
  /** True the first time it is asked after the budget ran out: log that once per operation. */
  firstRefusal(): boolean
}

class OperationCallBudget implements CallBudget {
  readonly limit: number
  #left: number
  #asked = 0
  #refused = false

  constructor(limit: number) {
    this.limit = limit
    this.#left = limit
  }

  get asked(): number {
    return this.#asked
  }

  take(): boolean {
    this.#asked += 1
    if (this.#left <= 0) return false
    this.#left -= 1
    return true
  }

  firstRefusal(): boolean {
    if (this.#refused) return false
    this.#refused = true
    return true
  }
}

export function createCallBudget(limit: number): CallBudget {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`createCallBudget: limit must be an integer >= 1, got ${String(limit)}`)
  return new OperationCallBudget(limit)
}
