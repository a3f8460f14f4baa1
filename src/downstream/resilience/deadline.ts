/**
 * The moment a GraphQL request must have answered by. Every downstream leg of
 * the request inherits it: a leg gets min(its own timeout, time left).
 */
export interface Deadline {
  /** On the `performance.now()` clock (monotonic, ms), so wall-clock jumps do not move it. */
  readonly expiresAt: number
}

export function createDeadline(budgetMs: number, now: () => number = () => performance.now()): Deadline {
  if (!Number.isFinite(budgetMs) || budgetMs <= 0) {
    throw new TypeError(`createDeadline: budgetMs must be a positive number, got ${String(budgetMs)}`)
  }
  return { expiresAt: now() + budgetMs }
}
