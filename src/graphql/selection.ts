import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql'

/**
 * The first field selected directly under the current field that `match`
 * accepts, looking through fragments. Used to start legs early (e.g.
 * inventory alongside catalog) only when the query will need them. It runs
 * once per list item, so it stops at the first match and builds nothing.
 */
function findSelected(info: GraphQLResolveInfo, match: (field: FieldNode) => boolean): FieldNode | undefined {
  const visit = (set: SelectionSetNode | undefined): FieldNode | undefined => {
    if (set === undefined) return undefined
    for (const selection of set.selections) {
      const found =
        selection.kind === Kind.FIELD
          ? match(selection)
            ? selection
            : undefined
          : visit(selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const node of info.fieldNodes) {
    const found = visit(node.selectionSet)
    if (found !== undefined) return found
  }
  return undefined
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
