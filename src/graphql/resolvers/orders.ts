import { badUserInput } from '../../errors.js'
import { entityId } from '../inputs.js'
import { INVENTORY_FIELDS, selectsAny } from '../selection.js'
import type { MutationResolvers, OrderItemResolvers, OrderResolvers, QueryResolvers } from '../generated.js'

export const orderQueries: Pick<QueryResolvers, 'order'> = {
  order: (_root, { id }, { data }) => data.order(entityId(id)),
}

export const orderMutations: Pick<MutationResolvers, 'placeOrder'> = {
  placeOrder: (_root, { input }, { data }) => {
    if (input.items.length < 1 || input.items.length > 50) {
      throw badUserInput(`an order takes 1 to 50 items, got ${input.items.length}`, { argument: 'input.items' })
    }
    entityId(input.userId, 'input.userId')
    for (const item of input.items) {
      entityId(item.productId, 'input.items.productId')
      if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > 100) {
        throw badUserInput(`quantity must be between 1 and 100, got ${item.quantity}`, { argument: 'input.items.quantity' })
      }
    }
    return data.placeOrder({ userId: input.userId, items: input.items })
  },
}

export const Order: OrderResolvers = {
  user: (order, _args, { data }) => data.user(order.userId),
  items: (order) => order.items,
}

export const OrderItem: OrderItemResolvers = {
  product: async (item, _args, { data }, info) => {
    return data.productView(item.productId, selectsAny(info, INVENTORY_FIELDS))
  },
}
