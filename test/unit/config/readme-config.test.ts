import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { envSchema } from '../../../src/config/schema.js'
import { SERVICE_NAMES } from '../../../src/config/services.js'

/** The README's configuration table is the user's manual: it must list every variable we read. */
describe('README configuration table', () => {
  it('documents every environment variable of the config schema', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const perService = new Set(SERVICE_NAMES.flatMap((name) => ['URL', 'TIMEOUT_MS', 'CONNECTIONS'].map((s) => `${name.toUpperCase()}_${s}`)))
    const missing = Object.keys(envSchema.shape)
      .filter((name) => !perService.has(name))
      .filter((name) => !readme.includes(`| \`${name}\` |`))
    expect(missing).toEqual([])
  })
})
