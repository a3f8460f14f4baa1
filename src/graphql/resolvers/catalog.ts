import { ClientError } from '../../errors.js'
import type { InventoryDto } from '../../downstream/dto.js'
import type { ProductView } from '../../fanout/product-views.js'
import type { MercuriusContext } from 'mercurius'
import { idList, pageSize } from '../inputs.js'
import { INVENTORY_FIELDS, selectsAny } from '../selection.js'
import type { ProductEdgeResolvers, ProductResolvers, QueryResolvers } from '../generated.js'
import { connection } from './connection.js'

/** Inventory of a product: from its view when fetched alongside, else batched now. */
async function inventoryOf(product: ProductView, data: MercuriusContext['data']): Promise<InventoryDto> {
  const outcome = product.inventory
  if (outcome !== undefined && !outcome.ok) throw outcome.error
  const inventory = outcome?.ok === true ? outcome.value : await data.inventory(product.id)
  if (inventory === null) {
    throw new ClientError('DOWNSTREAM_ERROR', `inventory has no record of product ${product.id}`, { productId: product.id })
  }
  return inventory
}

export const catalogQueries: Pick<QueryResolvers, 'product' | 'products' | 'search'> = {
  product: async (_root, { id }, { data }, info) => {
    const [view] = await data.productViews([id], selectsAny(info, INVENTORY_FIELDS))
    return view ?? null
  },
  products: (_root, { ids }, { data }, info) => data.productViews(idList(ids, 100), selectsAny(info, INVENTORY_FIELDS)),
  search: async (_root, { query, first, after }, { data }) => {
    const trimmed = query.trim()
    if (trimmed.length === 0 || trimmed.length > 200) {
      throw new ClientError('BAD_USER_INPUT', 'query must be 1 to 200 characters', { argument: 'query' })
    }
    const page = await data.search(trimmed, pageSize(first, 100), after ?? undefined)
    return { ...page, ...connection(page), edges: page.items }
  },
}

export const Product: ProductResolvers = {
  price: async (product, _args, { data }) => (await inventoryOf(product, data)).price,
  stock: async (product, _args, { data }) => (await inventoryOf(product, data)).stock,
  reviews: async (product, { first, after }, { data }) =>
    connection(await data.reviewsOfProduct(product.id, pageSize(first, 100), after ?? undefined)),
}

export const ProductEdge: ProductEdgeResolvers = {
  node: (hit) => hit.product,
}
