import type { FastifyBaseLogger } from 'fastify'

/** What every downstream call needs to know about the GraphQL request it serves. */
export interface CallContext {
  /** Forwarded as `x-request-id` so one request can be traced across services. */
  readonly requestId: string
  /** Aborted when the client goes away; in-flight calls are then cancelled. */
  readonly signal: AbortSignal
  readonly log: FastifyBaseLogger
}
