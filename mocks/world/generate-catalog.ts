import type { Prng } from './prng.js'
import type { Inventory, Product } from './types.js'
import { idOf } from './world-clock.js'
import { ADJECTIVES, CATEGORY_NOUNS, DESCRIPTION_BENEFITS, DESCRIPTION_OPENERS, MATERIALS } from './word-lists.js'

export interface Catalog {
  readonly products: Map<string, Product>
  readonly productList: Product[]
  readonly inventory: Map<string, Inventory>
}

/** Products with their inventory: stock 0..500, price 199..49_999 cents. */
export function generateCatalog(prng: Prng, count: number): Catalog {
  const products = new Map<string, Product>()
  const productList: Product[] = []
  const inventory = new Map<string, Inventory>()
  for (let n = 1; n <= count; n++) {
    const id = idOf(n)
    const adjective = prng.pick(ADJECTIVES)
    const material = prng.pick(MATERIALS)
    const [category, nouns] = prng.pick(CATEGORY_NOUNS)
    const noun = prng.pick(nouns)
    let description = `${prng.pick(DESCRIPTION_OPENERS)}, this ${material.toLowerCase()} ${noun.toLowerCase()} ${prng.pick(DESCRIPTION_BENEFITS)}.`
    if (prng.chance(0.5)) description += ` Part of our ${category} collection.`
    const images: string[] = []
    const imageCount = prng.int(1, 3)
    for (let i = 1; i <= imageCount; i++) images.push(`https://img.example.com/p/${id}-${i}.jpg`)
    const product: Product = { id, name: `${adjective} ${material} ${noun}`, description, category, images }
    products.set(id, product)
    productList.push(product)
    inventory.set(id, { productId: id, stock: prng.int(0, 500), price: { amount: prng.int(199, 49_999), currency: 'USD' } })
  }
  return { products, productList, inventory }
}
