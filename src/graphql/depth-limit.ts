import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { GraphQLError, type ValidationRule } from 'graphql'

/**
 * The query depth limit, one rule for HTTP and websockets alike so neither is
 * a way around it. graphql-armor's rule rather than mercurius' queryDepth: it
 * skips introspection, whose standard query (GraphiQL's schema load) is 15
 * levels deep, and it follows fragments (each measured once). Its recursion
 * is as deep as the document nests, which the document guard bounds first.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return maxDepthRule({
    n: maxDepth,
    ignoreIntrospection: true,
    flattenFragments: true,
    // It throws by default; reporting instead makes it an ordinary validation error (400).
    propagateOnRejection: false,
    // Our own sentence: graphql-armor's starts "Syntax Error:", which misleads, as the query parsed fine.
    onReject: [
      (context) =>
        context?.reportError(
          new GraphQLError(`Query depth limit of ${maxDepth} exceeded.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        ),
    ],
  })
}
