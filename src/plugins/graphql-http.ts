import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createGraphQLOverHttp } from '../http/graphql-over-http.js'

export interface GraphQLHttpOptions {
  readonly path: string
  readonly exposeErrorDetails: boolean
}

/**
 * GET and POST /graphql; what they run is the GraphQL-over-HTTP transport
 * (http/). The websocket endpoint shares the GET route.
 */
async function graphqlHttp(app: FastifyInstance, options: GraphQLHttpOptions): Promise<void> {
  const { execute, errorHandler } = createGraphQLOverHttp(app, { exposeErrorDetails: options.exposeErrorDetails })
  app.route({
    method: 'GET',
    url: options.path,
    errorHandler,
    // The graphql-transport-ws endpoint shares the path (plugins/subscriptions.ts).
    ...(app.hasDecorator('subscriptions') ? { wsHandler: app.subscriptions.wsHandler } : {}),
    handler: (request, reply) => execute(request, reply, request.query),
  })
  app.route({
    method: 'POST',
    url: options.path,
    errorHandler,
    handler: (request, reply) => execute(request, reply, request.body),
  })
}

export default fp(graphqlHttp, { name: 'graphql-http', dependencies: ['mercurius', 'graphql', 'persisted-documents'] })
