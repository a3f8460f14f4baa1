import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
/** House style: small modules with one job. */
const MAX_LINES = 300
/** Written by `npm run codegen`, not by hand. */
const GENERATED = new Set(['src/graphql/generated.ts'])

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourcesUnder(path)
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : []
  })
}

describe('module size in src/', () => {
  it(`keeps every hand-written module at ${MAX_LINES} lines or fewer`, () => {
    const sources = sourcesUnder(join(ROOT, 'src')).filter((path) => !GENERATED.has(path))
    expect(sources.length).toBeGreaterThan(50)
    const oversized = sources
      .map((path) => ({ path, lines: readFileSync(join(ROOT, path), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ path, lines }) => `${path}: ${lines} lines`)
    expect(oversized).toEqual([])
  })
})
