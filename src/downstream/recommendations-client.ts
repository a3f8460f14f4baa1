import type { Observable } from 'rxjs'
import type { CallContext } from './call-context.js'
import { recommendationIds } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { seg, validated, withQuery } from './validate.js'

export interface RecommendationsClient {
  /** Product ids recommended for a user, best first. */
  recommendedProductIds(userId: string, first: number, ctx: CallContext): Observable<readonly string[]>
}

export function createRecommendationsClient(caller: ServiceCaller): RecommendationsClient {
  const service = caller.service
  return {
    recommendedProductIds: (userId, first, ctx) =>
      caller
        .call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/recommendations`, { first }) }, ctx)
        .pipe(validated(service, recommendationIds, (body) => body.productIds)),
  }
}
