import type { z } from 'zod'
import { bool, int } from './env-fields.js'

/** GraphQL execution and GraphiQL. */
export const graphqlVars = {
  GRAPHIQL_ENABLED: bool.default(true),
  /** Compile a query with graphql-jit after it has run this many times; 0 disables. */
  GRAPHQL_JIT_AFTER: int(0, 1_000_000).default(1),
  GRAPHQL_QUERY_DEPTH_LIMIT: int(1, 100).default(12),
  /** Send unexpected errors' messages to clients. Off in production. */
  EXPOSE_ERROR_DETAILS: bool.default(false),
}

export interface GraphQLConfig {
  readonly graphiql: boolean
  /** 0 disables graphql-jit. */
  readonly jitAfter: number
  readonly queryDepthLimit: number
  readonly exposeErrorDetails: boolean
}

export function graphqlConfig(e: z.output<z.ZodObject<typeof graphqlVars>>): GraphQLConfig {
  return {
    graphiql: e.GRAPHIQL_ENABLED,
    jitAfter: e.GRAPHQL_JIT_AFTER,
    queryDepthLimit: e.GRAPHQL_QUERY_DEPTH_LIMIT,
    exposeErrorDetails: e.EXPOSE_ERROR_DETAILS,
  }
}
