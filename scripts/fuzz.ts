import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

/**
 * Long fuzz runs: `npm run fuzz -- --minutes N [--seed S] [--first-failure] [file ...]`.
 *
 * Runs the same properties as `npm test` (test/fuzz/*.test.ts, through
 * vitest) for about N minutes in all: one file after another (one app at a
 * time on a shared machine), each property getting an equal share of the
 * time (FUZZ_BUDGET_MS, counted from the `runFuzz(` calls). Progress
 * is printed every 30 s; every distinct failure is printed with its seed,
 * path and the command that replays it, and the search goes on (unless
 * --first-failure). Exits non-zero when anything failed.
 */
const FUZZ_DIR = 'test/fuzz'
const PROGRESS_MS = 30_000

const { values, positionals } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    'first-failure': { type: 'boolean', default: false },
  },
  allowPositionals: true,
})

const minutes = Number(values.minutes)
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, got ${JSON.stringify(values.minutes)}`)
  process.exit(2)
}
if (values.seed !== undefined && !Number.isInteger(Number(values.seed))) {
  console.error(`--seed must be an integer, got ${JSON.stringify(values.seed)}`)
  process.exit(2)
}

const files =
  positionals.length > 0 ? positionals : readdirSync(FUZZ_DIR).filter((name) => name.endsWith('.test.ts')).sort().map((name) => `${FUZZ_DIR}/${name}`)
const properties = files.reduce((count, file) => count + (readFileSync(file, 'utf8').match(/\brunFuzz\(/g)?.length ?? 0), 0)
if (properties === 0) {
  console.error(`no fuzz properties (runFuzz calls) in ${files.join(', ')}`)
  process.exit(2)
}
const budgetMs = Math.round((minutes * 60_000) / properties)
console.log(`[fuzz] ${minutes} min over ${properties} properties in ${files.length} file(s), ${Math.round(budgetMs / 1_000)} s each`)

const child = spawn('npx', ['vitest', 'run', ...files, '--no-file-parallelism'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_BUDGET_MS: String(budgetMs),
    FUZZ_PROGRESS_MS: String(PROGRESS_MS),
    ...(values['first-failure'] ? {} : { FUZZ_COLLECT: '1' }),
    ...(values.seed === undefined ? {} : { FUZZ_SEED: values.seed }),
  },
})
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 1 : 128))
})
