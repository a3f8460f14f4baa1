import type { Page } from '../../downstream/dto.js'

/** A downstream page as a Relay connection parent (edges resolve by default). */
export function connection<T>(page: Page<T>): Page<T> & {
  readonly edges: readonly { readonly cursor: string; readonly node: T }[]
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null }
  readonly totalCount: number
} {
  return {
    ...page,
    edges: page.items.map((node, index) => ({ cursor: page.cursors[index] ?? '', node })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.total ?? page.items.length,
  }
}
