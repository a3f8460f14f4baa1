import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { envSchema } from '../../../src/config/schema.js'
import { SERVICE_NAMES } from '../../../src/config/services.js'

/** The README's configuration table is the user's manual: it must list every variable we read. */
describe('README configuration table', () => {
  it('documents every environment variable of the config schema', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    // Per-service variables are documented once, as `<SERVICE>_SUFFIX`.
    const prefixes = SERVICE_NAMES.map((name) => `${name.toUpperCase()}_`)
    const documentedAs = (name: string): string => {
      const prefix = prefixes.find((p) => name.startsWith(p))
      return prefix === undefined ? name : `<SERVICE>_${name.slice(prefix.length)}`
    }
    const missing = [...new Set(Object.keys(envSchema.shape).map(documentedAs))].filter(
      (name) => !readme.includes(`| \`${name}\``),
    )
    expect(missing).toEqual([])
  })
})
