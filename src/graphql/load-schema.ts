import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BffError } from '../errors.js'

/** schema/ at the repository root, from src/graphql or dist/src/graphql alike. */
export const SCHEMA_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../schema/' : '../../schema/', import.meta.url))

/**
 * Reads the SDL, the schema's source of truth: base.graphql first (scalars,
 * directives, roots), then every other *.graphql in name order.
 */
export function loadSchemaSdl(dir: string = SCHEMA_DIR): string {
  try {
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.graphql'))
      .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)))
    if (files.length === 0) throw new Error(`no .graphql files in ${dir}`)
    return files.map((name) => `# ${name}\n${readFileSync(join(dir, name), 'utf8')}`).join('\n')
  } catch (cause) {
    throw new BffError('BFF_ERR_SCHEMA_LOAD', `GraphQL schema could not be loaded from ${dir}`, { cause })
  }
}
