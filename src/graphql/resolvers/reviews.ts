import { notFound } from '../../errors.js'
import { DownstreamError } from '../../downstream/errors.js'
import { entityId } from '../inputs.js'
import { INVENTORY_FIELDS, selectsAny } from '../selection.js'
import type { MutationResolvers, ReviewResolvers } from '../generated.js'

export const reviewMutations: Pick<MutationResolvers, 'likeReview'> = {
  likeReview: async (_root, { id }, { data }) => {
    try {
      return await data.likeReview(entityId(id))
    } catch (error) {
      // The service's 404 says "not found"; the client is told which review.
      if (error instanceof DownstreamError && error.code === 'NOT_FOUND') throw notFound('Review', id)
      throw error
    }
  },
}

export const Review: ReviewResolvers = {
  author: (review, _args, { data }) => data.user(review.authorId),
  product: async (review, _args, { data }, info) => {
    return data.productView(review.productId, selectsAny(info, INVENTORY_FIELDS))
  },
}
