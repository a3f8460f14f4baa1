import { cruise, type ICruiseResult, type IForbiddenRuleType, type IReporterOutput } from 'dependency-cruiser'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const require = createRequire(import.meta.url)
const { forbidden, options } = require(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[]
  options: { includeOnly: string; tsPreCompilationDeps: boolean }
}

interface Found {
  readonly rule: string
  readonly from: string
  readonly to: string
}

/** Cruises `paths` under `baseDir` with the project's rules. */
async function cruiseWithRules(baseDir: string, paths: readonly string[]): Promise<ICruiseResult> {
  const result: IReporterOutput = await cruise(
    [...paths],
    { baseDir, includeOnly: options.includeOnly, tsPreCompilationDeps: options.tsPreCompilationDeps, validate: true, ruleSet: { forbidden } },
    {},
    { tsConfig: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } } },
  )
  if (typeof result.output === 'string') throw new Error('expected a cruise result object')
  return result.output
}

/** Every violation, as rule, importing module and imported module (or the cycle). */
async function violations(baseDir: string, paths: readonly string[]): Promise<readonly Found[]> {
  return (await cruiseWithRules(baseDir, paths)).summary.violations.map((violation) => ({
    rule: violation.rule.name,
    from: violation.from,
    to: violation.cycle === undefined ? violation.to : violation.cycle.map((step) => step.name).join(' → '),
  }))
}

/** `src/<folder>/` (or a top-level file of src/) of a module path. */
const folderOf = (path: string): string => /^src\/[^/]+\/?/.exec(path)?.[0] ?? path

/** Cycles in the graph of src/ folders (an import from folder A to folder B is an edge A → B). */
async function folderCycles(baseDir: string): Promise<readonly Found[]> {
  const edges = new Map<string, Map<string, string>>()
  for (const module of (await cruiseWithRules(baseDir, ['src'])).modules) {
    const from = folderOf(module.source)
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved)
      if (to === from || !to.startsWith('src/')) continue
      const out = edges.get(from) ?? new Map<string, string>()
      // Remember one import per folder edge, so a cycle can be shown by its imports.
      if (!out.has(to)) out.set(to, `${module.source} → ${dependency.resolved}`)
      edges.set(from, out)
    }
  }
  const found: Found[] = []
  const walk = (start: string, at: string, path: readonly string[]): void => {
    for (const [next, example] of edges.get(at) ?? []) {
      if (next === start) found.push({ rule: 'no-folder-cycle', from: start, to: [...path, example].join(', ') })
      else if (next > start && !path.some((step) => step.startsWith(`${next}`))) walk(start, next, [...path, example])
    }
  }
  // Each cycle once: from its smallest folder.
  for (const start of [...edges.keys()].sort()) walk(start, start, [])
  return found
}

const show = (found: readonly Found[]): string[] => found.map(({ rule, from, to }) => `${rule}: ${from} → ${to}`)

describe('floor plan of src/ (.dependency-cruiser.cjs)', () => {
  it('imports run one way between folders, with no cycle between files, and mocks/ only uses the event log', async () => {
    // Each entry names the rule and the import that breaks it.
    expect(show(await violations(ROOT, ['src', 'mocks']))).toEqual([])
  })

  it('has no cycle between folders', async () => {
    expect(show(await folderCycles(ROOT))).toEqual([])
  })

  describe('catches a bad import (so the checks above cannot pass by checking nothing)', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'floor-plan-'))
    afterAll(() => rmSync(fixture, { recursive: true, force: true }))
    const file = (path: string, text: string): void => {
      mkdirSync(dirname(join(fixture, path)), { recursive: true })
      writeFileSync(join(fixture, path), text)
    }
    file('src/errors.ts', 'export const CODES = []\n')
    file('src/graphql/context.ts', "import { CODES } from '../errors.js'\nexport const context = CODES\n")
    // Upwards: the data layer reaching for graphql/.
    file('src/data/data-sources.ts', "import { context } from '../graphql/context.js'\nexport const data = context\n")
    // Sideways: the cache knowing a downstream type.
    file('src/downstream/errors.ts', 'export class DownstreamError extends Error {}\n')
    file('src/cache/read-through.ts', "import { DownstreamError } from '../downstream/errors.js'\nexport const e = DownstreamError\n")
    // A cycle between two files of one folder.
    file('src/lib/a.ts', "import { b } from './b.js'\nexport const a = (): unknown => b\n")
    file('src/lib/b.ts', "import { a } from './a.js'\nexport const b = (): unknown => a\n")
    // src/ reaching into the fakes, and the fakes into src/ beyond the event log.
    file('mocks/world.ts', "import { CODES } from '../src/errors.js'\nexport const world = CODES\n")
    file('src/events/event-log.ts', "import { world } from '../../mocks/world.js'\nexport const log = world\n")
    // Folders in a cycle without any file cycle: config/ → events/ → config/.
    file('src/config/load-config.ts', "import { log } from '../events/event-log.js'\nexport const config = log\n")
    file('src/events/event-tail.ts', "import { config } from '../config/load-config.js'\nexport const tail = config\n")

    it('names each broken rule and its import', async () => {
      const found = show(await violations(fixture, ['src', 'mocks']))
      expect(found).toEqual(
        expect.arrayContaining([
          'layer:data/: src/data/data-sources.ts → src/graphql/context.ts',
          'layer:cache/: src/cache/read-through.ts → src/downstream/errors.ts',
          'no-circular: src/lib/a.ts → src/lib/b.ts → src/lib/a.ts',
          'mocks-only-to-events: mocks/world.ts → src/errors.ts',
          'src-not-to-mocks: src/events/event-log.ts → mocks/world.ts',
        ]),
      )
    })

    it('names a cycle between folders', async () => {
      expect(show(await folderCycles(fixture))).toEqual([
        'no-folder-cycle: src/config/ → src/config/load-config.ts → src/events/event-log.ts, src/events/event-tail.ts → src/config/load-config.ts',
      ])
    })
  })
})
