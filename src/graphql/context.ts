import type { FastifyReply } from 'fastify'
import type { GraphQLError } from 'graphql'
import type { CallBudget } from '../downstream/call-budget.js'
import type { DownstreamClients } from '../downstream/clients.js'
import { RequestCallContext } from '../downstream/call-context.js'
import { createDataSources, type DataSources } from '../downstream/data-sources.js'
import type { SignalSource } from '../downstream/lazy-abort.js'
import type { Deadline } from '../downstream/resilience/deadline.js'

declare module 'mercurius' {
  interface MercuriusContext {
    /** The downstream layer for this request: batching, de-duplication, cancellation. */
    readonly data: DataSources
    /** Also forwarded to downstream services as `x-request-id`. */
    readonly requestId: string
    /**
     * Errors to add to the response beside the data; mercurius resets it to
     * null for each operation and merges it into `errors[]`.
     */
    errors: GraphQLError[] | null
  }
}

export interface RequestContext {
  readonly reply: FastifyReply
  readonly data: DataSources
  readonly requestId: string
}

/**
 * Builds the context of one GraphQL operation. `abort` hands out the signal
 * that aborts when the client goes away, which cancels every downstream call
 * still in flight (asked for only when a call starts); `deadline` bounds every
 * downstream call of the operation, and `budget` how many it may make.
 */
export function buildContext(
  reply: FastifyReply,
  clients: DownstreamClients,
  abort: SignalSource,
  deadline?: undefined | Deadline,
  budget?: undefined | CallBudget,
): RequestContext {
  const requestId = reply.request.id
  // The entity cache is app-wide (plugins/cache.ts); each request gets its own view of it.
  const ctx = new RequestCallContext(requestId, reply.request.log, abort, deadline, budget)
  const data = createDataSources(clients, ctx, reply.server.cache)
  return { reply, data, requestId }
}
