import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  isInputType,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql'
import { LRUCache } from 'lru-cache'
import { withoutSuggestions } from '../edge/limit-rules.js'
import type { GraphQLErrorCode } from '../errors.js'
import { checkDocumentShape, lexicalNesting } from './document-guard.js'

export type AdmittedDocument = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[] }

export type AdmittedOperation =
  | {
      readonly operation: OperationDefinitionNode
      /**
       * The variables as graphql-js coerced them (defaults applied). Execution
       * gets these: graphql-jit's own coercion drops the default of a
       * non-null variable that was not given.
       */
      readonly variables: Readonly<Record<string, unknown>>
    }
  | { readonly errors: readonly GraphQLError[] }

export interface DocumentAdmission {
  /**
   * The parsed, shape-checked (and, with `validate`, validated) document of
   * `query`, or its errors, coded (GRAPHQL_PARSE_FAILED,
   * GRAPHQL_VALIDATION_FAILED). Admitted documents are remembered per text
   * and schema.
   */
  document(schema: GraphQLSchema, query: string): AdmittedDocument
  /**
   * The operation to run and whether `variables` fit it, in the spec's order
   * (GetOperation, then CoerceVariableValues): an unknown or ambiguous
   * operation is BAD_REQUEST, variables that do not coerce are BAD_USER_INPUT.
   */
  operation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: unknown): AdmittedOperation
  /**
   * The document's validation errors where validation is left to mercurius
   * (empty where this gate validated it already). For a refusal found before
   * execution (the cost limit), so an invalid document still gets the
   * validation errors the spec puts first; it costs only refused requests.
   */
  invalid(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[]
}

export interface DocumentAdmissionOptions {
  /** Characters of query text kept, summed over entries. @default 10_000_000 (about 10 MB) */
  readonly maxChars?: undefined | number
  /** Largest document accepted, in lexical tokens (graphql-js' parser `maxTokens`). */
  readonly maxTokens: number
  /** See DocumentShapeLimits.maxNesting. */
  readonly maxNesting: number
  /**
   * Run validation here. Over HTTP mercurius validates (once per document,
   * beside its compiled query), so the gate only parses and guards there;
   * the websocket endpoint has no other validator.
   */
  readonly validate: boolean
  /**
   * Let subscription operations through. Over HTTP they are refused here
   * (BAD_REQUEST): they are served over websockets, and validating one whose
   * root field is conditional makes graphql-js throw rather than report.
   */
  readonly subscriptions: boolean
  /** Rules beyond the specified ones (e.g. the query depth limit). @default [] */
  readonly extraRules?: undefined | readonly ValidationRule[]
  /** false (introspection off): messages lose graphql-js' "Did you mean …" sentence, which names schema members. @default true */
  readonly suggestions?: undefined | boolean
}

const codedWith = (message: (text: string) => string) => (error: GraphQLError, code: GraphQLErrorCode): GraphQLError =>
  new GraphQLError(message(error.message), {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    // A code a rule chose (e.g. a limit's own) wins over the phase's.
    extensions: { ...error.extensions, code: typeof error.extensions['code'] === 'string' ? error.extensions['code'] : code },
  })

const requestError = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })

/**
 * Every document a client sends passes here before anything runs, over HTTP
 * and websockets alike, so both answer the same input with the same code:
 * a lexical nesting check, parse (token-bounded), the shape guard (bounded
 * nesting, no fragment cycles, all in linear time), validation where asked,
 * then per request the operation and its variables. Thousands of clients usually send the same few
 * documents: a valid one is parsed and validated once.
 */
export function createDocumentAdmission(options: DocumentAdmissionOptions): DocumentAdmission {
  const rules = [...specifiedRules, ...(options.extraRules ?? [])]
  const { maxTokens, maxNesting } = options
  const coded = codedWith(options.suggestions === false ? withoutSuggestions : (text) => text)
  const entries = new LRUCache<string, { readonly schema: GraphQLSchema; readonly document: DocumentNode }>({
    maxSize: options.maxChars ?? 10_000_000,
    sizeCalculation: (_value, query) => Math.max(1, query.length),
  })
  /**
   * The spec validates before it looks for the operation or coerces
   * variables. Where validation is left to mercurius, a document refused at
   * those later steps is validated here first, so an invalid one still gets
   * its validation errors; the cost falls only on refused requests.
   */
  function refused(schema: GraphQLSchema, document: DocumentNode, ...errors: GraphQLError[]): AdmittedOperation {
    if (!options.validate) {
      const invalid = validationErrors(schema, document)
      if (invalid.length > 0) return { errors: invalid }
    }
    return { errors }
  }

  function validationErrors(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
    try {
      return validate(schema, document, rules).map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED'))
    } catch (error) {
      // graphql-js' single-root-field rule throws, rather than reports, a directive whose variable has no value.
      if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_VALIDATION_FAILED')]
      throw error
    }
  }

  return {
    document(schema, query) {
      const cached = entries.get(query)
      if (cached !== undefined && cached.schema === schema) return { document: cached.document }
      // Before parsing: the parser recurses once per nesting level, and a bare `{{{{…` overflows it.
      const nesting = lexicalNesting(query, maxNesting, maxTokens)
      if (nesting !== null) return { errors: [nesting] }
      let document: DocumentNode
      try {
        document = parse(query, { maxTokens })
      } catch (error) {
        if (error instanceof GraphQLError) return { errors: [coded(error, 'GRAPHQL_PARSE_FAILED')] }
        // The parser recurses per nesting level; only a token limit set very high lets it overflow.
        if (error instanceof RangeError) {
          return { errors: [new GraphQLError('The document nests too deeply to parse.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] }
        }
        throw error
      }
      const shapeErrors = checkDocumentShape(document, { maxNesting })
      if (shapeErrors.length > 0) return { errors: shapeErrors }
      if (options.validate) {
        const errors = validationErrors(schema, document)
        if (errors.length > 0) return { errors }
      }
      entries.set(query, { schema, document })
      return { document }
    },
    invalid(schema, document) {
      return options.validate ? [] : validationErrors(schema, document)
    },
    operation(schema, document, operationName, variables) {
      const operation = getOperationAST(document, operationName)
      if (operation === null || operation === undefined) {
        if (operationName !== undefined) return refused(schema, document, requestError(`Unknown operation named "${operationName}".`))
        return refused(schema, document, requestError('The document has several operations: name the one to run in operationName.'))
      }
      if (operation.operation === 'subscription' && !options.subscriptions) {
        return refused(schema, document, requestError('Subscriptions are served over websocket (graphql-transport-ws) at /graphql.'))
      }
      const inputs = typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {}
      const definitions = operation.variableDefinitions
      if (definitions === undefined || definitions.length === 0) return { operation, variables: inputs }
      // A variable of a type that is no input type makes the document invalid: that is validation's to say.
      if (definitions.some((definition) => !isInputType(typeFromAST(schema, definition.type)))) return { operation, variables: inputs }
      const coerced = getVariableValues(schema, definitions, inputs, { maxErrors: 10 })
      if (coerced.errors !== undefined) return refused(schema, document, ...coerced.errors.map((error) => coded(error, 'BAD_USER_INPUT')))
      return { operation, variables: coerced.coerced }
    },
  }
}
