import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

/**
 * A downstream shape: a JSON Schema (TypeBox) compiled once into a checker
 * that validates a parsed body in place. Not zod, which the config module
 * uses: zod's parse builds a copy of every object it checks, and on the
 * per-call path (every downstream body, every cache read) those copies were
 * a tenth of all the BFF allocated per query.
 *
 * Objects accept properties the contract does not name (as JSON Schema does
 * by default); nothing reads them, since GraphQL selects only known fields.
 */
export interface Contract<T> {
  readonly schema: TSchema
  /** True when `value` has the contract's shape; then it is used as is. */
  is(value: unknown): value is T
  /** The first violation, for logs (`/users/0/id: Expected string`). */
  explain(value: unknown): string
}

export function contract<S extends TSchema>(schema: S): Contract<Static<S>> {
  const check = TypeCompiler.Compile(schema)
  return {
    schema,
    is: (value): value is Static<S> => check.Check(value),
    explain(value) {
      const first = check.Errors(value).First()
      return first === undefined ? 'valid' : `${first.path || '/'}: ${first.message}`
    },
  }
}
