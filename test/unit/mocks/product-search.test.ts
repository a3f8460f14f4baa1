import { describe, expect, it } from 'vitest'
import { createProductSearch } from '../../../mocks/world/product-search.js'
import type { Product } from '../../../mocks/world/types.js'

const product = (id: string, name: string, description: string, category: string): Product => ({ id, name, description, category, images: [] })

describe('createProductSearch', () => {
  const products = [
    product('1', 'Ergonomic Steel Lamp', 'Bright and sturdy.', 'Home'),
    product('2', 'Rustic Wooden Chair', 'A steel frame under oak.', 'Home'),
    product('3', 'Sleek Rubber Ball', 'Bounces.', 'Sports'),
    product('4', 'Small Steel Kettle', 'Boils fast.', 'Kitchen'),
  ]
  const search = createProductSearch(products)
  const ids = (query: string): string[] => search.search(query).map((p) => p.id)

  it('matches case-insensitively across name, description and category', () => {
    expect(ids('STEEL')).toEqual(['1', '2', '4'])
    expect(ids('sports')).toEqual(['3'])
    expect(ids('oak')).toEqual(['2'])
  })

  it('requires every token, in any order, as substrings', () => {
    expect(ids('lamp steel')).toEqual(['1'])
    expect(ids('  stee   hom ')).toEqual(['1', '2'])
    expect(ids('steel sports')).toEqual([])
  })

  it('answers everything in id order for an empty query', () => {
    expect(ids('')).toEqual(['1', '2', '3', '4'])
    expect(ids('   ')).toEqual(['1', '2', '3', '4'])
  })

  it('memoises per normalised query', () => {
    expect(search.search('Steel  Lamp')).toBe(search.search('steel lamp'))
  })
})
