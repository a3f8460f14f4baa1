import type { FastifyInstance } from 'fastify'
import { likeReview } from '../world/mutations.js'
import { encodeCursor, pageNewestFirst } from '../world/paging.js'
import type { Review } from '../world/types.js'
import { notFound } from './http-errors.js'
import { parseAfter, parseFirst, parseId, parseIdList, type Query } from './request-params.js'
import { createServiceApp, type ServiceOptions } from './service-app.js'

/** reviews (4005): product reviews and likes. */
export function createReviewsService(options: ServiceOptions): FastifyInstance {
  const { world, eventLog } = options

  return createServiceApp(
    {
      name: 'reviews',
      routes(app) {
        app.get<{ Params: { productId: string }; Querystring: Query }>('/products/:productId/reviews', async (request) => {
          const productId = parseId(request.params.productId, 'productId')
          const first = parseFirst(request.query, 10)
          const before = parseAfter(request.query, 'reviews')
          const list = world.reviewsByProduct.get(productId)
          if (list === undefined) throw notFound(`product ${productId} not found`)
          const page = pageNewestFirst(list, first, before)
          const cursors = page.items.map((item) => encodeCursor('reviews', Number(item.id)))
          return {
            reviews: page.items,
            cursors,
            hasNextPage: page.hasNextPage,
            endCursor: cursors.at(-1) ?? null,
            total: list.length,
          }
        })

        app.get<{ Querystring: Query }>('/reviews', async (request) => {
          const reviews: Review[] = []
          for (const id of parseIdList(request.query)) {
            const review = world.reviews.get(id)
            if (review !== undefined) reviews.push(review)
          }
          return { reviews }
        })

        app.post<{ Params: { id: string } }>('/reviews/:id/like', async (request) => {
          const id = parseId(request.params.id, 'id')
          const review = likeReview(world, id)
          if (review === undefined) throw notFound(`review ${id} not found`)
          await eventLog.append({ type: 'review.liked', reviewId: review.id, productId: review.productId, likes: review.likes })
          return review
        })
      },
    },
    options,
  )
}
