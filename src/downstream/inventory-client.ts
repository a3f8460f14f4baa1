import type { CallContext } from './call-context.js'
import { inventoryBatch, type InventoryDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { withQuery } from './paths.js'

export interface InventoryClient {
  /** Stock and price for many products in one call. */
  inventoryByIds(productIds: readonly string[], ctx: CallContext): Promise<readonly InventoryDto[]>
}

export function createInventoryClient(caller: ServiceCaller): InventoryClient {
  const service = caller.service
  return {
    inventoryByIds: async (productIds, ctx) =>
      checked(service, inventoryBatch, await caller.call({ method: 'GET', path: withQuery('/inventory', { ids: productIds.join(',') }) }, ctx))
        .items,
  }
}
