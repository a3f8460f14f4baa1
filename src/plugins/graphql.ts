import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import mercurius, { type IResolvers } from 'mercurius'
import type { Config } from '../config/load-config.js'
import { depthLimitRule } from '../graphql/depth-limit.js'
import { createErrorFormatter } from '../graphql/error-formatter.js'
import { createOperationContexts, type OperationContexts } from '../graphql/operation-context.js'
import { createResolvers } from '../graphql/resolvers/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds the context of every GraphQL operation, over HTTP and over the websocket. */
    operationContexts: OperationContexts
  }
}

/**
 * Registers mercurius as the execution engine (parse cache, validation, JIT,
 * hooks) without its routes: plugins/graphql-http.ts registers them, http/ runs them. It also
 * creates the operation-context builder that HTTP requests and websocket operations share.
 */
export interface GraphQLPluginOptions {
  readonly config: Config
  /** The schema's SDL, read once by buildApp from schema/*.graphql. */
  readonly sdl: string
}

async function graphql(app: FastifyInstance, options: GraphQLPluginOptions): Promise<void> {
  const { graphql: settings } = options.config
  await app.register(mercurius, {
    schema: options.sdl,
    // The generated Resolvers type is stricter than mercurius' own; the shapes are the same.
    resolvers: createResolvers() as unknown as IResolvers,
    routes: false,
    // Only so Subscription resolvers keep their `subscribe`: src/subscriptions serves the socket (graphql-ws).
    subscription: true,
    graphiql: false,
    jit: settings.jitAfter,
    validationRules: [depthLimitRule(settings.queryDepthLimit)],
    errorFormatter: createErrorFormatter({ exposeErrorDetails: settings.exposeErrorDetails }) as never,
  })
  const contexts = createOperationContexts({
    clients: app.downstreams.clients,
    cache: app.hasDecorator('cache') ? app.cache : null,
    deadlineMs: app.downstreams.requestDeadlineMs,
    log: app.log.child({ component: 'subscriptions' }),
  })
  app.decorate('operationContexts', contexts)
  app.addHook('onClose', async () => contexts.close())
}

export default fp(graphql, { name: 'graphql', dependencies: ['downstreams'] })
