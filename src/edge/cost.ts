import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isInterfaceType,
  isObjectType,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'

/**
 * What an operation costs, known before it runs: the number of objects it can
 * return, GitHub's and Shopify's way. Every field that returns an object (or
 * a list of them) costs 1 for each object, scalars cost nothing, and a field's
 * page size multiplies everything under it:
 *
 * - `first` / `last` (an integer, a variable, or the schema's default) is the
 *   size of a list or connection; a list field costs size × (1 + its
 *   selection), a connection (an object field with a page size) 1 + size × its
 *   selection, so `search(first: 100) { totalCount }` costs 1;
 * - `ids` (a list, literal or variable) asks for that many objects;
 * - any other list counts as one: its length is the service's to bound, not
 *   the client's to choose.
 *
 * So `recommendations(first: 4) { name price { formatted } }` costs
 * 4 × (1 + 1) = 8. Every operation costs at least 1, so a flood of `{__typename}`
 * is not free. Fields skipped by a literal or variable `@skip` / `@include`
 * cost nothing; fields the schema does not know (introspection's `__schema`,
 * or a typo validation will refuse) cost nothing either: introspection is
 * bounded by the schema's size.
 *
 * Why not graphql-armor's cost-limit: it is a validation rule, so it never
 * sees variables, and it prices a field by its depth (objectCost,
 * scalarCost, depthCostFactor) without reading any argument:
 * `products(ids: [1 … 1000])` and `recommendations(first: 1000000)` cost it the
 * same as one item.
 *
 * Linear in the document: each named fragment is priced once (the cost is
 * linear in the multiplier, so a spread costs multiplier × the fragment's own
 * cost), as in graphql/selection.ts. The recursion is as deep as the document
 * nests, which the document guard bounds first (graphql/document-guard.ts).
 * Sums saturate at Number.MAX_SAFE_INTEGER, so a fan-out bomb stays a number.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value)) fragments.set(definition.name.value, definition)
  }
  /** Cost of each fragment at multiplier 1; null while being priced (a cycle, which validation refuses, prices at 0). */
  const priced = new Map<string, number | null>()

  function selectionCost(set: SelectionSetNode, parent: GraphQLNamedType | undefined): number {
    let total = 0
    for (const selection of set.selections) {
      if (skipped(selection.directives, variables)) continue
      if (selection.kind === Kind.FIELD) total += fieldCost(selection, parent)
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value)
        total += selectionCost(selection.selectionSet, type ?? undefined)
      } else total += fragmentCost(selection.name.value)
    }
    return saturate(total)
  }

  function fieldCost(node: FieldNode, parent: GraphQLNamedType | undefined): number {
    if (node.selectionSet === undefined || !(isObjectType(parent) || isInterfaceType(parent))) return 0
    const field = parent.getFields()[node.name.value]
    if (field === undefined) return 0
    const type = getNamedType(field.type)
    if (!isCompositeType(type)) return 0
    const size = pageSize(node, field, variables)
    const each = selectionCost(node.selectionSet, type)
    // A list returns `size` objects; a connection is one object around a page of `size` items.
    return saturate(isListType(getNullableType(field.type)) ? size * (1 + each) : 1 + size * each)
  }

  function fragmentCost(name: string): number {
    const known = priced.get(name)
    if (known !== undefined) return known ?? 0
    const fragment = fragments.get(name)
    if (fragment === undefined) return 0
    priced.set(name, null)
    const cost = selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined)
    priced.set(name, cost)
    return cost
  }

  const root = schema.getRootType(operation.operation) ?? undefined
  return Math.max(1, selectionCost(operation.selectionSet, root))
}

const saturate = (value: number): number => (value > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : value)

/** Arguments whose integer value is a page size. */
const COUNT_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last'])
/** Arguments whose list length is the number of objects asked for. */
const LIST_ARGUMENTS: ReadonlySet<string> = new Set(['ids'])

/** How many objects `node` may return per parent: its page size or id count, else 1. */
function pageSize(node: FieldNode, field: GraphQLField<unknown, unknown>, variables: Readonly<Record<string, unknown>>): number {
  let size: number | undefined
  for (const argument of node.arguments ?? []) {
    const name = argument.name.value
    if (COUNT_ARGUMENTS.has(name)) size = Math.max(size ?? 0, countOf(valueOf(argument.value, variables)))
    else if (LIST_ARGUMENTS.has(name)) size = Math.max(size ?? 0, lengthOf(valueOf(argument.value, variables)))
  }
  if (size !== undefined) return size
  // Not given: the schema's default page size, if it has one.
  for (const argument of field.args) {
    if (COUNT_ARGUMENTS.has(argument.name) && typeof argument.defaultValue === 'number') size = Math.max(size ?? 0, countOf(argument.defaultValue))
  }
  return size ?? 1
}

/** A literal's or variable's value, as far as page sizes need it (integers and list lengths). */
function valueOf(value: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value]
    case Kind.INT:
      return Number(value.value)
    case Kind.LIST:
      return value.values
    default:
      return undefined
  }
}

/** A page size; one that is not a number (validation's to refuse) counts as 1, a negative one as 0. */
const countOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 1)

const lengthOf = (value: unknown): number => (Array.isArray(value) ? value.length : 1)

/** True when a literal or variable `@skip(if: true)` / `@include(if: false)` leaves the selection out. */
function skipped(directives: readonly DirectiveNode[] | undefined, variables: Readonly<Record<string, unknown>>): boolean {
  if (directives === undefined) return false
  for (const directive of directives) {
    const name = directive.name.value
    if (name !== 'skip' && name !== 'include') continue
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')
    if (condition === undefined) continue
    const value = condition.value.kind === Kind.BOOLEAN ? condition.value.value : valueOf(condition.value, variables)
    if (typeof value !== 'boolean') continue
    if ((name === 'skip') === value) return true
  }
  return false
}
