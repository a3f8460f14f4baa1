import fc from 'fast-check'
import { InvariantBroken } from './invariants.js'

/**
 * How a fuzz property is run: time-boxed in `npm test`, longer under
 * `npm run fuzz -- --minutes N`, replayable from a printed seed and path.
 *
 * Environment (read here and nowhere else in the fuzz suite):
 * - FUZZ_BUDGET_MS: fuzzing time of each property. @default 3_500 (four properties: about 14 s in all)
 * - FUZZ_SEED, FUZZ_PATH: replay one failure (with `-t "<property>"` to pick the property).
 * - FUZZ_PROGRESS_MS: print runs so far at this period (long runs). @default 0 (off)
 * - FUZZ_COLLECT: any value: go on after a failure, to list every distinct one (long runs).
 */
export interface FuzzSettings {
  readonly budgetMs: number
  readonly seed: number | undefined
  readonly path: string | undefined
  readonly progressMs: number
  /** Go on after a failure, to list every distinct one (long runs). */
  readonly collect: boolean
}

function readNumber(name: string, fallback: number | undefined): number | undefined {
  const text = process.env[name]
  if (text === undefined || text.trim() === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${JSON.stringify(text)}`)
  return value
}

const DEFAULT_BUDGET_MS = 3_500

export function readFuzzSettings(): FuzzSettings {
  const path = process.env['FUZZ_PATH']
  return {
    budgetMs: readNumber('FUZZ_BUDGET_MS', DEFAULT_BUDGET_MS) ?? DEFAULT_BUDGET_MS,
    seed: readNumber('FUZZ_SEED', undefined),
    path: path === undefined || path.trim() === '' ? undefined : path.trim(),
    progressMs: readNumber('FUZZ_PROGRESS_MS', 0) ?? 0,
    collect: (process.env['FUZZ_COLLECT'] ?? '') !== '',
  }
}

export const fuzzSettings = readFuzzSettings()

/**
 * Config the fuzz suite runs the app with: the defaults, except that a long
 * run (FUZZ_COLLECT) shows masked errors' messages, so two failures with the
 * same code and status can be told apart. Status and codes, which the
 * invariants check, do not depend on it.
 */
export function fuzzStackEnv(): Record<string, string> {
  return fuzzSettings.collect ? { EXPOSE_ERROR_DETAILS: 'true' } : {}
}

/**
 * Time a vitest test running one property may take: its fuzzing time, plus
 * the input in flight when the time is up, plus waiting for a stalled
 * process to come back (see `waitUntilServing`).
 */
export function testTimeoutMs(): number {
  return fuzzSettings.budgetMs + 90_000
}

export interface FuzzProperty<T> {
  /** As in the vitest test name, so `-t` selects it for a replay. */
  readonly name: string
  /** The test file, for the replay command. */
  readonly file: string
  readonly arbitrary: fc.Arbitrary<T>
  /** Throws (with a message naming the broken invariant) when the input breaks one. */
  readonly predicate: (input: T) => Promise<void>
  /** Prints an input for the failure report. @default abbreviated JSON */
  readonly describe?: undefined | ((input: T) => string)
}

const HEAD = 300
const TAIL = 200

/**
 * JSON with the middle of long strings cut out (their length noted), so a
 * 20,000-character id stays readable in a report and the end of a raw body
 * (where operationName often is) stays in it.
 */
export function abbreviate(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'string' && inner.length > HEAD + TAIL ? `${inner.slice(0, HEAD)}…(${inner.length} chars)…${inner.slice(-TAIL)}` : inner,
  )
}

/** What makes two failures the same kind: the invariant and what was observed, without timings. */
function signatureOf(error: unknown): string {
  if (error instanceof InvariantBroken) return error.signature
  return `harness error: ${error instanceof Error ? error.message : String(error)}`
}

function failureReport<T>(property: FuzzProperty<T>, details: fc.RunDetails<[T]>): string {
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} npx vitest run ${property.file} -t ${JSON.stringify(property.name)}`
  const shrinkNote = details.interrupted ? ' (time ran out while shrinking: the replay command shrinks further)' : ''
  return [
    `fuzz property "${property.name}" failed after ${details.numRuns} runs, ${details.numShrinks} shrinks${shrinkNote}`,
    `seed: ${details.seed}, path: ${details.counterexamplePath ?? '?'}`,
    `replay: ${replay}`,
    `counterexample: ${details.counterexample === null ? '?' : (property.describe ?? abbreviate)(details.counterexample[0])}`,
    `failure: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
  ].join('\n')
}

/**
 * Runs the property until its time is up (no fixed number of runs: in a long
 * run, more time means more inputs). A failure throws with the seed, the path,
 * the (shrunk) counterexample and the command that replays it. With
 * FUZZ_COLLECT set (long runs), a failure is reported and the search goes on
 * with a new seed, passing over inputs that fail the same way again, so one
 * run lists every distinct failure it meets.
 */
export async function runFuzz<T>(property: FuzzProperty<T>): Promise<void> {
  const started = Date.now()
  const deadline = started + Math.max(1, fuzzSettings.budgetMs)
  const replaying = fuzzSettings.seed !== undefined && fuzzSettings.path !== undefined
  const known = new Set<string>()
  const reports: string[] = []
  let runs = 0
  const progress =
    fuzzSettings.progressMs > 0
      ? setInterval(() => {
          console.log(`[fuzz] ${property.name}: ${runs} runs, ${reports.length} distinct failures in ${Math.round((Date.now() - started) / 1_000)} s`)
        }, fuzzSettings.progressMs)
      : undefined
  const checked: fc.IAsyncProperty<[T]> = fc.asyncProperty(property.arbitrary, async (input: T) => {
    runs += 1
    try {
      await property.predicate(input)
    } catch (error) {
      if (known.has(signatureOf(error))) return
      throw error
    }
  })
  try {
    for (let round = 0; ; round += 1) {
      const details = await fc.check<[T]>(checked, {
        numRuns: replaying ? 1 : 1_000_000,
        ...(fuzzSettings.seed === undefined ? {} : { seed: fuzzSettings.seed + round }),
        ...(fuzzSettings.path === undefined ? {} : { path: fuzzSettings.path }),
        plugins: replaying ? [] : [fc.interruptAfterTimeLimit(Math.max(1, deadline - Date.now()))],
      })
      if (!details.failed) break
      const report = failureReport(property, details)
      console.error(report)
      reports.push(report)
      known.add(signatureOf(details.errorInstance))
      if (!fuzzSettings.collect || replaying || Date.now() >= deadline) break
    }
    if (fuzzSettings.progressMs > 0) {
      console.log(`[fuzz] ${property.name}: done, ${runs} runs, ${reports.length} distinct failures in ${Math.round((Date.now() - started) / 1_000)} s`)
    }
    if (reports.length > 0) throw new Error(reports.join('\n\n'))
  } finally {
    if (progress !== undefined) clearInterval(progress)
  }
}
