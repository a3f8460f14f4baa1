export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms; doubles per retry. @default 25 */
  readonly baseMs: number
  /** Largest ceiling, in ms. @default 250 */
  readonly capMs: number
}

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter):
 * delay = random(0, min(cap, base · 2^n)) for the n-th retry (n from 0).
 * Spreading retries over the whole interval keeps clients that failed
 * together from retrying together.
 */
export function fullJitterDelayMs(retryIndex: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** retryIndex)
  return random() * ceiling
}
