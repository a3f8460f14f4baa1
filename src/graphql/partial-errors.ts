import { GraphQLError, type GraphQLResolveInfo, responsePathAsArray } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { ClientError } from '../errors.js'

/**
 * Records an error for a field that still returns a fallback value (e.g. []
 * for optional data), so the client sees both the data and why it is empty.
 */
export function reportFieldError(context: MercuriusContext, info: GraphQLResolveInfo, error: unknown): void {
  const original = error instanceof Error ? error : new Error(String(error))
  const code = error instanceof ClientError ? error.code : 'INTERNAL_SERVER_ERROR'
  const graphqlError = new GraphQLError(original.message, {
    path: responsePathAsArray(info.path),
    originalError: original,
    extensions: { code },
  })
  const errors = context.errors
  context.errors = errors === null ? [graphqlError] : [...errors, graphqlError]
}
