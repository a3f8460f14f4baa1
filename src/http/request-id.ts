import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Accept a caller's id only when it is short and plain: it ends up in logs and downstream headers. */
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/

/** fastify `genReqId`: reuse a well-formed incoming `x-request-id`, else mint one. */
export function requestIdFrom(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID()
}
