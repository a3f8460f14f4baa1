import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  getNullableType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql'
import { loadSchemaSdl } from '../../../src/graphql/load-schema.js'
import type { Choices } from './choices.js'
import { inputValue, toJson, toLiteral, type InputValue } from './input-values.js'

/**
 * GraphQL documents built from the real schema (schema/*.graphql), so most of
 * them name real fields and arguments and reach execution; the rest break one
 * rule at a time (unknown field, wrong type, missing argument, bad variable,
 * fragment on the wrong type, cycle, unknown directive...).
 */

/** A GraphQL request as a client sends it, before it is put on a transport. */
export interface GraphQLRequest {
  readonly query: string
  /** Absent, or the JSON map (valid, wrong or partial values). */
  readonly variables?: undefined | Record<string, unknown>
  readonly operationName?: undefined | string
}

/** Fields in one document; past it, selections stop growing (keeps a run's requests small and fast). */
const MAX_SELECTIONS = 60
/** Past the server's depth limit (12), so both sides of the rule are reached. */
const MAX_DEPTH = 15
/**
 * Lists nested in lists (followers of followers of ...): each level multiplies
 * the items by its page size (10 by default, 100 at most), and three levels
 * already reach the downstream fan-out that one request must not be able to
 * cause. Deeper would only make every run slow while that is unfixed.
 */
const MAX_LIST_NESTING = 3

const isList = (field: GraphQLField<unknown, unknown>): boolean => isListType(getNullableType(field.type))

export const fuzzSchema: GraphQLSchema = buildSchema(loadSchemaSdl())

interface VariableDefinition {
  readonly name: string
  readonly type: string
  readonly value: InputValue | undefined
}

interface FragmentDefinition {
  readonly name: string
  readonly on: string
  /** null while its own selection is being built: a spread of it then makes a cycle. */
  body: string | null
}

type OperationKind = 'query' | 'mutation' | 'subscription'

const WRONG_VARIABLE_TYPES = ['Int', 'String!', '[ID]', 'Boolean', 'Nope', 'PlaceOrderInput'] as const

class DocumentBuilder {
  readonly #choices: Choices
  readonly #schema: GraphQLSchema
  /**
   * Half the documents keep every rule (they reach execution, where the edge
   * values are the resolvers' to refuse); the other half may break any.
   */
  readonly #valid: boolean
  readonly #fragments: FragmentDefinition[] = []
  #variables: VariableDefinition[] = []
  #selections = 0
  /** Lists above the selection being built. */
  #lists = 0

  /** The kind of the first operation, when the caller wants one (websockets favour subscriptions). */
  readonly #firstKind: OperationKind | undefined

  constructor(schema: GraphQLSchema, choices: Choices, firstKind?: OperationKind) {
    this.#schema = schema
    this.#choices = choices
    this.#firstKind = firstKind
    this.#valid = !choices.chance(50)
  }

  /** A rule-breaking option is taken with about `percent` % probability, in rule-breaking documents only. */
  #breaks(percent: number): boolean {
    return !this.#valid && this.#choices.chance(percent)
  }

  build(): GraphQLRequest {
    const c = this.#choices
    const operations: string[] = []
    const names: string[] = []
    const variables: Record<string, unknown> = {}
    const count = c.chance(15) ? 1 + c.pick(3) : 1
    for (let index = 0; index < count; index += 1) {
      this.#variables = []
      const kind = index === 0 && this.#firstKind !== undefined ? this.#firstKind : c.oneOf(['query', 'query', 'query', 'mutation', 'subscription'] as const)
      const root = kind === 'query' ? this.#schema.getQueryType() : kind === 'mutation' ? this.#schema.getMutationType() : this.#schema.getSubscriptionType()
      // Anonymous or duplicate names with several operations break the spec's rules.
      const anonymous = count === 1 ? !c.chance(40) : this.#breaks(20)
      const name = anonymous ? '' : this.#breaks(10) ? 'Op' : `Op${index}`
      if (name !== '') names.push(name)
      // A subscription selects exactly one root field (spec rule "single root field").
      const selection =
        root === null || root === undefined
          ? '{ __typename }'
          : kind === 'subscription' && !this.#breaks(30)
            ? `{ ${this.#field(root, 1)} }`
            : this.#selectionSet(root, 1, kind === 'query')
      if (this.#breaks(10)) this.#variables.push({ name: 'unused', type: 'String', value: 'x' })
      for (const variable of this.#variables) if (variable.value !== undefined) variables[variable.name] = toJson(variable.value)
      const definitions = this.#variables.length === 0 ? '' : `(${this.#variables.map((v) => `$${v.name}: ${v.type}`).join(', ')})`
      const shorthand = kind === 'query' && name === '' && definitions === '' && c.pick(2) === 0
      operations.push(shorthand ? selection : `${kind}${name === '' ? '' : ` ${name}`}${definitions} ${selection}`)
    }
    if (this.#breaks(5)) this.#fragments.push({ name: 'Unused', on: 'User', body: '{ id }' })
    const fragments = this.#fragments.map((fragment) => `fragment ${fragment.name} on ${fragment.on} ${fragment.body ?? '{ id }'}`)
    const operationName = this.#valid
      ? count === 1
        ? c.oneOf([undefined, names[0]] as const)
        : c.oneOf([names[0], names[names.length - 1]] as const)
      : c.oneOf([undefined, names[0], names[names.length - 1], 'Nope', ''] as const)
    const hasVariables = Object.keys(variables).length > 0
    return {
      query: [...operations, ...fragments].join('\n'),
      ...(hasVariables || c.chance(20) ? { variables } : {}),
      ...(operationName === undefined ? {} : { operationName }),
    }
  }

  #selectionSet(type: GraphQLCompositeType, depth: number, introspection = false): string {
    const c = this.#choices
    const count = this.#selections >= MAX_SELECTIONS ? 1 : 1 + c.pick(3)
    const items: string[] = []
    for (let index = 0; index < count; index += 1) items.push(this.#selection(type, depth, introspection && index === 0))
    return `{ ${items.join(' ')} }`
  }

  #selection(type: GraphQLCompositeType, depth: number, introspection: boolean): string {
    const c = this.#choices
    this.#selections += 1
    if (isUnionType(type) || this.#selections > MAX_SELECTIONS || depth >= this.#maxDepth()) return this.#leaf(type)
    const kind = c.pick(20)
    if (kind === 17) return `... on ${this.#typeCondition(type)}${this.#directives()} ${this.#selectionSet(type, depth + 1)}`
    if (kind === 18) return `...${this.#directives()} ${this.#selectionSet(type, depth + 1)}`
    if (kind === 19) return `...${this.#spread(type, depth)}${this.#directives()}`
    if (kind === 16 && introspection) return c.oneOf(['__schema { queryType { name } }', '__type(name: "Product") { fields { name } }', '__typename'] as const)
    if (kind === 15) return this.#breaks(100) ? c.oneOf(['shoeSize', 'id { x }'] as const) : '__typename'
    return this.#field(type, depth)
  }

  /** Valid documents stay within the server's depth limit (12); the others go past it. */
  #maxDepth(): number {
    return this.#valid ? 10 : MAX_DEPTH
  }

  #leaf(type: GraphQLCompositeType): string {
    if (isObjectType(type) || isInterfaceType(type)) {
      const leaf = Object.values(type.getFields()).find((field) => !isCompositeType(getNamedType(field.type)) && field.args.length === 0)
      if (leaf !== undefined) return leaf.name
    }
    return '__typename'
  }

  #field(type: GraphQLObjectType | Exclude<GraphQLCompositeType, GraphQLObjectType>, depth: number): string {
    const c = this.#choices
    if (isUnionType(type)) return '__typename'
    const all = Object.values(type.getFields())
    const flat = all.filter((candidate) => !isList(candidate))
    const fields = (this.#lists >= MAX_LIST_NESTING && flat.length > 0 ? flat : all) as [GraphQLField<unknown, unknown>, ...GraphQLField<unknown, unknown>[]]
    const field = c.oneOf(fields)
    const alias = c.chance(15) ? `${c.oneOf(['a', 'b', 'name', 'id'] as const)}${c.pick(3)}: ` : ''
    const args = field.args.flatMap((argument) => this.#argument(argument))
    const argText = args.length === 0 ? (this.#breaks(3) ? '(nope: 1)' : '') : `(${args.join(', ')})`
    const named = getNamedType(field.type)
    let selection = ''
    if (isCompositeType(named)) {
      const list = isList(field) ? 1 : 0
      this.#lists += list
      if (!this.#breaks(3)) selection = ` ${depth >= this.#maxDepth() ? `{ ${this.#leaf(named)} }` : this.#selectionSet(named, depth + 1)}`
      this.#lists -= list
    } else if (this.#breaks(2)) {
      selection = ' { id }'
    }
    return `${alias}${field.name}${argText}${this.#directives()}${selection}`
  }

  #argument(argument: GraphQLArgument): string[] {
    const c = this.#choices
    const required = isNonNullType(argument.type)
    const mode = c.pick(12)
    // Optional arguments are mostly left out, as clients do; a required one only to break the rule.
    if (mode >= 4 && !required) return []
    if (mode >= 10 && this.#breaks(100)) return []
    if (mode === 1 || mode === 2) return [`${argument.name}: $${this.#variable(argument.type, argument.name, mode === 2 && this.#breaks(100))}`]
    if (mode === 3 && this.#breaks(100)) return [`${argument.name}: $undeclared`]
    return [`${argument.name}: ${toLiteral(inputValue(argument.type, c, this.#valid, argument.name))}`]
  }

  /** Declares a variable for an argument of `type` (or, when `wrong`, of another type) and gives it a value. */
  #variable(type: GraphQLInputType, argumentName: string, wrong: boolean): string {
    const c = this.#choices
    const name = `v${this.#variables.length}`
    const declared = wrong ? c.oneOf(WRONG_VARIABLE_TYPES) : type.toString()
    // A valid document gives every required variable a value (the JSON map is checked against the declared type).
    const value = (!isNonNullType(type) || !this.#valid) && c.chance(15) ? undefined : inputValue(type, c, this.#valid, argumentName)
    const withDefault = c.chance(10) ? ` = ${toLiteral(inputValue(type, c, this.#valid, argumentName))}` : ''
    this.#variables.push({ name, type: `${declared}${withDefault}`, value })
    return name
  }

  #directives(): string {
    const c = this.#choices
    if (!c.chance(15)) return ''
    const condition = this.#valid ? c.oneOf(['true', 'false', 'VAR'] as const) : c.oneOf(['true', 'false', 'VAR', '"yes"', 'null'] as const)
    const value = condition === 'VAR' ? `$${this.#booleanVariable()}` : condition
    if (this.#valid) return c.oneOf([` @include(if: ${value})`, ` @skip(if: ${value})`] as const)
    return c.oneOf([
      ` @include(if: ${value})`,
      ` @skip(if: ${value})`,
      ` @include(if: ${value}) @skip(if: ${value})`,
      ' @include',
      ' @unknown',
      ' @include(if: true) @include(if: false)',
      ' @deprecated',
      ' @cacheControl(maxAge: 1)',
    ] as const)
  }

  #booleanVariable(): string {
    const c = this.#choices
    const name = `v${this.#variables.length}`
    if (this.#valid) {
      this.#variables.push({ name, type: 'Boolean!', value: c.oneOf([true, false] as const) })
      return name
    }
    const value = c.oneOf<InputValue | undefined>([true, false, null, 'true', 1, undefined])
    this.#variables.push({ name, type: c.oneOf(['Boolean!', 'Boolean', 'String'] as const), value })
    return name
  }

  #typeCondition(type: GraphQLCompositeType): string {
    if (this.#valid) return type.name
    const others = Object.keys(this.#schema.getTypeMap()).filter((name) => !name.startsWith('__'))
    return this.#choices.oneOf([type.name, 'Product', 'User', 'Query', 'Nope', 'String', ...others] as [string, ...string[]])
  }

  /** A spread of a fragment on `type`: an existing one (fan-out), a new one, one on the wrong type, an undefined one, or a cycle. */
  #spread(type: GraphQLCompositeType, depth: number): string {
    const c = this.#choices
    const mode = this.#valid ? c.pick(2) : c.pick(6)
    // Finished fragments on this type only: a spread of one still being built would make a cycle.
    const existing = this.#fragments.filter((fragment) => fragment.on === type.name && (fragment.body !== null || !this.#valid))
    if (mode === 1 && existing.length > 0) return c.oneOf(existing as [FragmentDefinition, ...FragmentDefinition[]]).name
    if (mode === 2 && this.#fragments.length > 0) return c.oneOf(this.#fragments as [FragmentDefinition, ...FragmentDefinition[]]).name
    if (mode === 3) return 'Undefined'
    const fragment: FragmentDefinition = { name: `F${this.#fragments.length}`, on: mode === 4 ? this.#typeCondition(type) : type.name, body: null }
    this.#fragments.push(fragment)
    fragment.body = depth >= this.#maxDepth() ? `{ ${this.#leaf(type)} }` : this.#selectionSet(type, depth + 1)
    return fragment.name
  }
}

/** One request built from the choices against the real schema. */
export function schemaDocument(choices: Choices, schema: GraphQLSchema = fuzzSchema, firstKind?: OperationKind): GraphQLRequest {
  return new DocumentBuilder(schema, choices, firstKind).build()
}
