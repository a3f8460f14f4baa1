import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import mercurius, { type IResolvers } from 'mercurius'
import type { Config } from '../config/load-config.js'
import { applyAuthorization } from '../graphql/authorization.js'
import { limitRules } from '../edge/limit-rules.js'
import { depthLimitRule } from '../graphql/depth-limit.js'
import { createDocumentAdmission, type DocumentAdmission } from '../graphql/document-admission.js'
import { createErrorFormatter } from '../graphql/error-formatter.js'
import { createOperationContexts, type OperationContexts } from '../graphql/operation-context.js'
import { createResolvers } from '../graphql/resolvers/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds the context of every GraphQL operation, over HTTP and over the websocket. */
    operationContexts: OperationContexts
    /**
     * The gates every document passes before it runs: the same checks over
     * HTTP and websockets, except that mercurius validates HTTP documents.
     */
    documentAdmission: { readonly http: DocumentAdmission; readonly websocket: DocumentAdmission }
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
  const { edge } = options.config
  const validationRules = [
    depthLimitRule(settings.queryDepthLimit),
    ...limitRules({ maxAliases: edge.maxAliases, maxDirectives: edge.maxDirectives, introspection: settings.introspection }),
  ]
  const limits = {
    maxTokens: settings.maxTokens,
    maxNesting: settings.maxNesting,
    extraRules: validationRules,
    suggestions: settings.introspection,
  }
  app.decorate('documentAdmission', {
    http: createDocumentAdmission({ ...limits, validate: false, subscriptions: false }),
    websocket: createDocumentAdmission({ ...limits, validate: true, subscriptions: true }),
  })
  await app.register(mercurius, {
    schema: options.sdl,
    // The generated Resolvers type is stricter than mercurius' own; the shapes are the same.
    resolvers: createResolvers() as unknown as IResolvers,
    routes: false,
    // Only so Subscription resolvers keep their `subscribe`: src/subscriptions serves the socket (graphql-ws).
    subscription: true,
    graphiql: false,
    jit: settings.jitAfter,
    // Over HTTP mercurius is the validator (plugins/graphql-http.ts admits, parses and guards first).
    validationRules,
    graphql: { parseOptions: { maxTokens: settings.maxTokens } },
    errorFormatter: createErrorFormatter({ exposeErrorDetails: settings.exposeErrorDetails }) as never,
  })
  // With AUTH_DISABLED every caller is anonymous, so the rules would refuse everyone: they are left off.
  if (options.config.auth.disabled) app.log.warn('AUTH_DISABLED=true: the schema\'s authorization rules (@authenticated, @requiresScopes, @ownedBy) are not applied')
  else app.log.debug({ fields: applyAuthorization(app.graphql.schema) }, 'authorization rules applied')
  const contexts = createOperationContexts({
    clients: app.downstreams.clients,
    cache: app.hasDecorator('cache') ? app.cache : null,
    deadlineMs: app.downstreams.requestDeadlineMs,
    maxDownstreamCalls: settings.maxDownstreamCalls,
    log: app.log.child({ component: 'subscriptions' }),
    tracing: app.telemetry.tracing,
  })
  app.decorate('operationContexts', contexts)
  app.addHook('onClose', async () => contexts.close())
}

export default fp(graphql, { name: 'graphql', dependencies: ['downstreams', 'telemetry'] })
