import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives'
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql'
import type { GraphQLErrorCode } from '../errors.js'

export interface LimitRulesOptions {
  /** GRAPHQL_MAX_ALIASES */
  readonly maxAliases: number
  /** GRAPHQL_MAX_DIRECTIVES */
  readonly maxDirectives: number
  /** false: `__schema` and `__type` are refused (`__typename` stays). */
  readonly introspection: boolean
}

const refusal = (message: string, code: GraphQLErrorCode) => [
  (context: { reportError(error: GraphQLError): void } | null) => context?.reportError(new GraphQLError(message, { extensions: { code } })),
]

/**
 * The operation limits that are validation rules, one set for HTTP
 * (mercurius validates) and websockets (the admission gate validates).
 * graphql-armor's alias and directive counters follow fragment spreads and
 * price each fragment once, so an alias bomb hidden in fragments is counted
 * whole in linear time; they recurse as deep as the document nests, which
 * the document guard bounds first. They report rather than throw, with our
 * own sentence and code: graphql-armor's start "Syntax Error:", which
 * misleads (the document parsed).
 */
export function limitRules(options: LimitRulesOptions): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxAliasesRule({
      n: options.maxAliases,
      propagateOnRejection: false,
      onReject: refusal(`At most ${options.maxAliases} aliases are accepted per operation.`, 'TOO_MANY_ALIASES'),
    }) as unknown as ValidationRule,
    maxDirectivesRule({
      n: options.maxDirectives,
      propagateOnRejection: false,
      onReject: refusal(`At most ${options.maxDirectives} directives are accepted per operation.`, 'TOO_MANY_DIRECTIVES'),
    }) as unknown as ValidationRule,
  ]
  if (!options.introspection) rules.push(NoSchemaIntrospectionCustomRule)
  return rules
}

/**
 * graphql-js ends many validation and coercion messages with "Did you mean
 * …?", naming fields, types and enum values. With introspection off that
 * leaks the schema a field at a time; the sentence goes.
 */
export function withoutSuggestions(message: string): string {
  const at = message.indexOf(' Did you mean ')
  return at < 0 ? message : message.slice(0, at)
}
