import { z } from 'zod'
import { bool, int } from './env-fields.js'

/** GraphQL execution and GraphiQL. */
export const graphqlVars = {
  /**
   * Only sets defaults: `production` turns GraphiQL and introspection off unless enabled explicitly,
   * and allows no CORS origin unless CORS_ORIGINS names some (browser.ts). Any other value counts as development.
   */
  NODE_ENV: z.string().default('development'),
  /** @default true, false when NODE_ENV=production */
  GRAPHIQL_ENABLED: bool.optional(),
  /** Answer `__schema` / `__type`; off also drops "Did you mean …" from validation errors. @default true, false when NODE_ENV=production */
  INTROSPECTION_ENABLED: bool.optional(),
  /** Compile a query with graphql-jit after it has run this many times; 0 disables. */
  GRAPHQL_JIT_AFTER: int(0, 1_000_000).default(1),
  GRAPHQL_QUERY_DEPTH_LIMIT: int(1, 100).default(12),
  /** Largest document accepted, in lexical tokens (graphql-js parser maxTokens); beyond, GRAPHQL_PARSE_FAILED. */
  GRAPHQL_MAX_TOKENS: int(100, 1_000_000).default(5_000),
  /** Downstream calls one operation may make; past it, the fields still to load fail with DOWNSTREAM_BUDGET_EXCEEDED. */
  REQUEST_MAX_DOWNSTREAM_CALLS: int(1, 100_000).default(32),
  /** Send unexpected errors' messages to clients. Off in production. */
  EXPOSE_ERROR_DETAILS: bool.default(false),
}

export interface GraphQLConfig {
  readonly graphiql: boolean
  /** false: introspection refused and schema suggestions left out of error messages. */
  readonly introspection: boolean
  /** 0 disables graphql-jit. */
  readonly jitAfter: number
  readonly queryDepthLimit: number
  /** Largest document, in lexical tokens. */
  readonly maxTokens: number
  /** Deepest nesting a document may have before validation (see graphql/document-guard.ts). */
  readonly maxNesting: number
  /** Downstream calls one operation may make. */
  readonly maxDownstreamCalls: number
  readonly exposeErrorDetails: boolean
}

/**
 * Nesting a document may reach before validation: far above what the depth
 * limit lets through (introspection, which the depth rule skips, nests about
 * 20 deep), far below what overflows a recursive validation rule.
 */
export const maxNestingFor = (queryDepthLimit: number): number => Math.max(64, queryDepthLimit * 4)

export function graphqlConfig(e: z.output<z.ZodObject<typeof graphqlVars>>): GraphQLConfig {
  // NODE_ENV picks defaults (here and the CORS origins), never behaviour of its own.
  const production = e.NODE_ENV === 'production'
  return {
    graphiql: e.GRAPHIQL_ENABLED ?? !production,
    introspection: e.INTROSPECTION_ENABLED ?? !production,
    jitAfter: e.GRAPHQL_JIT_AFTER,
    queryDepthLimit: e.GRAPHQL_QUERY_DEPTH_LIMIT,
    maxTokens: e.GRAPHQL_MAX_TOKENS,
    maxNesting: maxNestingFor(e.GRAPHQL_QUERY_DEPTH_LIMIT),
    maxDownstreamCalls: e.REQUEST_MAX_DOWNSTREAM_CALLS,
    exposeErrorDetails: e.EXPOSE_ERROR_DETAILS,
  }
}
