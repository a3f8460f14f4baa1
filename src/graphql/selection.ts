import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql'

type FieldMatch = (field: FieldNode) => boolean

/**
 * The first field selected directly under the current field that `match`
 * accepts, looking through fragments. Used to start legs early (e.g.
 * inventory alongside catalog) only when the query will need them. It runs
 * once per list item, so it stops at the first match and allocates nothing
 * unless the document has named fragments.
 *
 * Each named fragment is entered at most once: a client can spread the same
 * fragment many times at every level, and following every spread makes the
 * walk exponential in the document's size (a 1 KB document of fragments that
 * each spread the next one twice took seconds per item). The recursion is as
 * deep as the document's nesting, which the document guard bounds before
 * validation (document-guard.ts).
 */
function findSelected(info: GraphQLResolveInfo, match: FieldMatch): FieldNode | undefined {
  const entered = hasFragments(info.fragments) ? new Set<string>() : null
  for (const node of info.fieldNodes) {
    const found = firstIn(node.selectionSet, info.fragments, match, entered)
    if (found !== undefined) return found
  }
  return undefined
}

function firstIn(
  set: SelectionSetNode | undefined,
  fragments: GraphQLResolveInfo['fragments'],
  match: FieldMatch,
  entered: Set<string> | null,
): FieldNode | undefined {
  if (set === undefined) return undefined
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (match(selection)) return selection
      continue
    }
    let next: SelectionSetNode | undefined
    if (selection.kind === Kind.INLINE_FRAGMENT) next = selection.selectionSet
    else {
      const name = selection.name.value
      if (entered === null || entered.has(name)) continue
      entered.add(name)
      next = fragments[name]?.selectionSet
    }
    const found = firstIn(next, fragments, match, entered)
    if (found !== undefined) return found
  }
  return undefined
}

function hasFragments(fragments: Readonly<Record<string, FragmentDefinitionNode>>): boolean {
  for (const _name in fragments) return true
  return false
}

/** The selected field named `name` under the current field, if any. */
export function selectedField(info: GraphQLResolveInfo, name: string): FieldNode | undefined {
  return findSelected(info, (field) => field.name.value === name)
}

export function selectsAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  return findSelected(info, (field) => names.includes(field.name.value)) !== undefined
}

/** Fields of a product that need the inventory service. */
export const INVENTORY_FIELDS: readonly string[] = ['price', 'stock']
