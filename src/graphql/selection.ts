import { Kind, type GraphQLResolveInfo, type SelectionSetNode, type FieldNode } from 'graphql'

/**
 * The fields selected directly under the current field, looking through
 * fragments. Used to start legs early (e.g. inventory alongside catalog) only
 * when the query will need them.
 */
export function selectedFields(info: GraphQLResolveInfo): readonly FieldNode[] {
  const found: FieldNode[] = []
  const visit = (set: SelectionSetNode | undefined): void => {
    if (set === undefined) return
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) found.push(selection)
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet)
      else visit(info.fragments[selection.name.value]?.selectionSet)
    }
  }
  for (const node of info.fieldNodes) visit(node.selectionSet)
  return found
}

export function selectsAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  return selectedFields(info).some((field) => names.includes(field.name.value))
}

/** Fields of a product that need the inventory service. */
export const INVENTORY_FIELDS: readonly string[] = ['price', 'stock']
