import type { FastifyReply } from 'fastify'
import type { GraphQLError } from 'graphql'
import type { DownstreamClients } from '../downstream/clients.js'
import { createDataSources, type DataSources } from '../downstream/data-sources.js'

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
 * Builds the context of one GraphQL operation. `signal` aborts when the client
 * goes away, which cancels every downstream call still in flight.
 */
export function buildContext(reply: FastifyReply, clients: DownstreamClients, signal: AbortSignal): RequestContext {
  const requestId = reply.request.id
  const data = createDataSources(clients, { requestId, signal, log: reply.request.log })
  return { reply, data, requestId }
}
