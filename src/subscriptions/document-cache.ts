import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql'
import { LRUCache } from 'lru-cache'

export type PreparedDocument = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[] }

export interface DocumentCache {
  /** The parsed, validated document of `query`, or its errors coded as over HTTP. */
  prepare(schema: GraphQLSchema, query: string): PreparedDocument
}

export interface DocumentCacheOptions {
  /** Characters of query text kept, summed over entries. @default 10_000_000 (about 10 MB) */
  readonly maxChars?: undefined | number
  /** Rules beyond the specified ones (e.g. the depth limit HTTP applies). @default [] */
  readonly extraRules?: undefined | readonly ValidationRule[]
}

/** The codes the HTTP endpoint gives document errors, so clients branch the same way on both transports. */
function coded(error: unknown, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  if (!(error instanceof GraphQLError)) return new GraphQLError('Syntax Error', { extensions: { code } })
  return new GraphQLError(error.message, { source: error.source, positions: error.positions, extensions: { ...error.extensions, code } })
}

/**
 * Parses and validates each distinct query once. Thousands of clients
 * usually send the same few subscription documents: sharing one AST keeps
 * each idle subscription small and makes a reconnect storm cheap. Valid
 * documents only are kept, tied to the schema they were validated against.
 */
export function createDocumentCache(options: DocumentCacheOptions = {}): DocumentCache {
  const rules = [...specifiedRules, ...(options.extraRules ?? [])]
  const entries = new LRUCache<string, { readonly schema: GraphQLSchema; readonly document: DocumentNode }>({
    maxSize: options.maxChars ?? 10_000_000,
    sizeCalculation: (_value, query) => Math.max(1, query.length),
  })
  return {
    prepare(schema, query) {
      const cached = entries.get(query)
      if (cached !== undefined && cached.schema === schema) return { document: cached.document }
      let document: DocumentNode
      try {
        document = parse(query)
      } catch (err) {
        // graphql-ws would let a parse error escape and close the whole connection; it is the operation's error.
        return { errors: [coded(err, 'GRAPHQL_PARSE_FAILED')] }
      }
      const errors = validate(schema, document, rules)
      if (errors.length > 0) return { errors: errors.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')) }
      entries.set(query, { schema, document })
      return { document }
    },
  }
}
