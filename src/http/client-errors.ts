import type { Socket } from 'node:net'
import { clientMessage, statusOf, type GraphQLErrorCode } from '../errors.js'

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/**
 * fastify `clientErrorHandler`: what a socket gets when Node gives up on a
 * request before fastify sees it (a body that did not arrive within
 * SERVER_REQUEST_TIMEOUT_MS, oversized headers, bytes that are not HTTP).
 * The same GraphQL-shaped body and codes as every other refusal, then the
 * socket is closed, as Node does by default.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset peer has gone already: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code: GraphQLErrorCode =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST'
  const status = statusOf(code)
  const body = JSON.stringify({ errors: [{ message: clientMessage(code, undefined), extensions: { code } }] })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}
