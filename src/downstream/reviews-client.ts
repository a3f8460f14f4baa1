import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { reviewDto, reviewsBatch, reviewsPage, type Page, type ReviewDto } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { seg, validated, withQuery } from './validate.js'

export interface ReviewsClient {
  reviewsOfProduct(productId: string, first: number, after: string | undefined, ctx: CallContext): Observable<Page<ReviewDto>>
  reviewsByIds(ids: readonly string[], ctx: CallContext): Observable<readonly ReviewDto[]>
  /** Not idempotent: never retried. */
  likeReview(id: string, ctx: CallContext): Observable<ReviewDto>
}

export function createReviewsClient(caller: ServiceCaller): ReviewsClient {
  const service = caller.service
  return {
    reviewsOfProduct: (productId, first, after, ctx) =>
      caller.call({ method: 'GET', path: withQuery(`/products/${seg(productId)}/reviews`, { first, after }) }, ctx).pipe(
        validated(service, reviewsPage, (body) => ({ items: body.reviews, cursors: body.cursors, hasNextPage: body.hasNextPage, endCursor: body.endCursor, total: body.total })),
      ),
    reviewsByIds: (ids, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery('/reviews', { ids: ids.join(',') }) }, ctx)
        .pipe(validated(service, reviewsBatch, (body) => body.reviews)),
    likeReview: (id, ctx) =>
      caller.call({ method: 'POST', path: `/reviews/${seg(id)}/like` }, ctx).pipe(validated(service, reviewDto)),
  }
}
