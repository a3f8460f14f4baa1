import { ClientError } from '../../errors.js'
import type { InventoryDto } from '../../downstream/dto.js'
import type { ProductView } from '../../data/product-views.js'
import type { MercuriusContext } from 'mercurius'
import { cursor, entityId, idList, pageSize } from '../inputs.js'
import { INVENTORY_FIELDS, selectsAny } from '../selection.js'
import type { ProductEdgeResolvers, ProductResolvers, QueryResolvers } from '../generated.js'
import { connection } from './connection.js'

function missingInventory(productId: string): ClientError {
  // A masked code: the client reads the registry's sentence, not which service lacked the record.
  return new ClientError('DOWNSTREAM_ERROR', `inventory has no record of product ${productId}`, { productId })
}

/**
 * Inventory of a product: from its view when it was fetched alongside (then
 * synchronously: most products arrive that way, and a promise per field adds
 * up over a screen of them), else batched now.
 */
function inventoryOf(product: ProductView, data: MercuriusContext['data']): InventoryDto | Promise<InventoryDto> {
  const outcome = product.inventory
  if (outcome !== undefined) {
    if (!outcome.ok) throw outcome.error
    if (outcome.value === null) throw missingInventory(product.id)
    return outcome.value
  }
  return data.inventory(product.id).then((inventory) => {
    if (inventory === null) throw missingInventory(product.id)
    return inventory
  })
}

export const catalogQueries: Pick<QueryResolvers, 'product' | 'products' | 'search'> = {
  product: (_root, { id }, { data }, info) => data.productView(entityId(id), selectsAny(info, INVENTORY_FIELDS)),
  products: (_root, { ids }, { data }, info) => data.productViews(idList(ids, 100), selectsAny(info, INVENTORY_FIELDS)),
  search: async (_root, { query, first, after }, { data }) => {
    const trimmed = query.trim()
    if (trimmed.length === 0 || trimmed.length > 200) {
      throw new ClientError('BAD_USER_INPUT', 'query must be 1 to 200 characters', { argument: 'query' })
    }
    const page = await data.search(trimmed, pageSize(first, 100), cursor(after))
    return { ...page, ...connection(page), edges: page.items }
  },
}

export const Product: ProductResolvers = {
  price: (product, _args, { data }) => {
    const inventory = inventoryOf(product, data)
    return inventory instanceof Promise ? inventory.then((found) => found.price) : inventory.price
  },
  stock: (product, _args, { data }) => {
    const inventory = inventoryOf(product, data)
    return inventory instanceof Promise ? inventory.then((found) => found.stock) : inventory.stock
  },
  reviews: async (product, { first, after }, { data }) =>
    connection(await data.reviewsOfProduct(product.id, pageSize(first, 100), cursor(after))),
}

export const ProductEdge: ProductEdgeResolvers = {
  node: (hit) => hit.product,
}
