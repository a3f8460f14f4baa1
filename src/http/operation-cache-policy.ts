import {
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql'
import type { SchemaCacheHints } from '../cache/ttl-policy.js'

/** How long, and for whom, an operation's answer may be cached (before the request's own say: errors, a token). */
export interface OperationCachePolicy {
  /** Smallest maxAge among the fields the operation selects, in s; 0: not cacheable. */
  readonly maxAgeS: number
  /** Some selected field (or the type it returns) is PRIVATE. */
  readonly private: boolean
}

interface Restriction {
  maxAgeS: number
  private: boolean
}

const unrestricted = (): Restriction => ({ maxAgeS: Number.POSITIVE_INFINITY, private: false })

function restrict(into: Restriction, by: Restriction): void {
  if (by.maxAgeS < into.maxAgeS) into.maxAgeS = by.maxAgeS
  if (by.private) into.private = true
}

/**
 * Reads the cache policy of an operation from the SDL's `@cacheControl`, the
 * way Apollo Server's cache-control plugin does for the fields it resolves:
 * a field returning an object, interface or union, and every root field, is
 * cached for its own hint's maxAge, else its type's, else `defaultMaxAgeS`
 * (0 by default: unhinted means uncacheable); a scalar field without a hint,
 * and a field marked (or returning a type marked) `inheritMaxAge`, inherits
 * its parent's; any PRIVATE hint makes the answer private.
 *
 * Apollo looks at the fields a response actually resolved; this looks at
 * every field the document selects (a skipped branch, a null parent, a
 * fragment on a type that did not come back), which can only shorten the
 * maxAge or make it private, never cache longer than Apollo would.
 *
 * Linear in the document: each fragment is measured once, whatever number of
 * spreads name it (a fragment's restriction does not depend on where it is
 * spread), and each operation once per parsed document (the admission gate
 * hands out the same DocumentNode for the same text).
 */
export function createOperationCachePolicies(hints: SchemaCacheHints, defaultMaxAgeS: number): (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => OperationCachePolicy {
  const byOperation = new WeakMap<OperationDefinitionNode, { readonly schema: GraphQLSchema; readonly policy: OperationCachePolicy }>()

  function measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationCachePolicy {
    const fragments = new Map<string, FragmentDefinitionNode>()
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
    const measured = new Map<string, Restriction>()
    // Cycles are refused by the admission gate; this only keeps a walk finite if one got through.
    const measuring = new Set<string>()

    function fragment(name: string): Restriction {
      const known = measured.get(name)
      if (known !== undefined) return known
      const definition = fragments.get(name)
      const type = definition === undefined ? undefined : schema.getType(definition.typeCondition.name.value)
      if (definition === undefined || !isCompositeType(type) || measuring.has(name)) return unrestricted()
      measuring.add(name)
      const result = selectionSet(type, definition.selectionSet, false)
      measuring.delete(name)
      measured.set(name, result)
      return result
    }

    function selectionSet(parent: GraphQLCompositeType, set: SelectionSetNode, root: boolean): Restriction {
      const result = unrestricted()
      for (const selection of set.selections) {
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          restrict(result, fragment(selection.name.value))
          continue
        }
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value)
          if (isCompositeType(type)) restrict(result, selectionSet(type, selection.selectionSet, root))
          continue
        }
        const name = selection.name.value
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined
        if (definition === undefined) {
          // __typename (on any type) and introspection's roots: a root field without a hint of its own.
          if (root) restrict(result, { maxAgeS: defaultMaxAgeS, private: false })
          continue
        }
        const returns = getNamedType(definition.type)
        const own = hints.fieldHint(`${parent.name}.${name}`)
        const typeHint = isCompositeType(returns) ? hints.typeHint(returns.name) : undefined
        const inherits = own?.inheritMaxAge === true || (own?.maxAgeS === undefined && typeHint?.inheritMaxAge === true)
        const composite = isCompositeType(returns) && !inherits
        const maxAgeS = composite || root ? (own?.maxAgeS ?? typeHint?.maxAgeS ?? defaultMaxAgeS) : own?.maxAgeS
        restrict(result, {
          maxAgeS: maxAgeS ?? Number.POSITIVE_INFINITY,
          private: own?.scope === 'PRIVATE' || (own?.scope === undefined && typeHint?.scope === 'PRIVATE'),
        })
        if (selection.selectionSet !== undefined && isCompositeType(returns)) restrict(result, selectionSet(returns, selection.selectionSet, false))
      }
      return result
    }

    const rootType = schema.getRootType(operation.operation)
    const result = rootType === null || rootType === undefined ? unrestricted() : selectionSet(rootType, operation.selectionSet, true)
    return { maxAgeS: Number.isFinite(result.maxAgeS) ? result.maxAgeS : defaultMaxAgeS, private: result.private }
  }

  return (schema, document, operation) => {
    const cached = byOperation.get(operation)
    if (cached !== undefined && cached.schema === schema) return cached.policy
    const policy = measure(schema, document, operation)
    byOperation.set(operation, { schema, policy })
    return policy
  }
}
