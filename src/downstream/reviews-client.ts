import type { CallContext } from './call-context.js'
import { reviewDto, reviewsBatch, reviewsPage, type Page, type ReviewDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { seg, withQuery } from './paths.js'

export interface ReviewsClient {
  reviewsOfProduct(productId: string, first: number, after: string | undefined, ctx: CallContext): Promise<Page<ReviewDto>>
  reviewsByIds(ids: readonly string[], ctx: CallContext): Promise<readonly ReviewDto[]>
  /** Not idempotent: never retried. */
  likeReview(id: string, ctx: CallContext): Promise<ReviewDto>
}

export function createReviewsClient(caller: ServiceCaller): ReviewsClient {
  const service = caller.service
  return {
    reviewsOfProduct: async (productId, first, after, ctx) => {
      const path = withQuery(`/products/${seg(productId)}/reviews`, { first, after })
      const body = checked(service, reviewsPage, await caller.call({ method: 'GET', path }, ctx))
      return { items: body.reviews, cursors: body.cursors, hasNextPage: body.hasNextPage, endCursor: body.endCursor, total: body.total }
    },
    reviewsByIds: async (ids, ctx) =>
      checked(service, reviewsBatch, await caller.call({ method: 'GET', path: withQuery('/reviews', { ids: ids.join(',') }) }, ctx)).reviews,
    likeReview: async (id, ctx) => checked(service, reviewDto, await caller.call({ method: 'POST', path: `/reviews/${seg(id)}/like` }, ctx)),
  }
}
