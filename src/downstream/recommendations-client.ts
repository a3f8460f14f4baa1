import type { CallContext } from './call-context.js'
import { recommendationIds } from './dto.js'
import type { ServiceCaller } from './service-caller.js'
import { checked } from './contract-check.js'
import { seg, withQuery } from './paths.js'

export interface RecommendationsClient {
  /** Product ids recommended for a user, best first. */
  recommendedProductIds(userId: string, first: number, ctx: CallContext): Promise<readonly string[]>
}

export function createRecommendationsClient(caller: ServiceCaller): RecommendationsClient {
  const service = caller.service
  return {
    recommendedProductIds: async (userId, first, ctx) =>
      checked(
        service,
        recommendationIds,
        await caller.call({ method: 'GET', path: withQuery(`/users/${seg(userId)}/recommendations`, { first }) }, ctx),
      ).productIds,
  }
}
