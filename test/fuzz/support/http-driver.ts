import { Agent } from 'undici'
import { RESPONSE_BUDGET_MS } from './invariants.js'
import { distinctSorted, errorCodesOf, type Outcome } from './outcome.js'
import type { GraphQLRequest } from './schema-documents.js'

/** One HTTP request exactly as the fuzzer sends it: path and query string are not re-encoded. */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE' | 'OPTIONS' | 'PATCH'
  /** Path and query string, e.g. `/graphql?query=%7B__typename%7D`. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: undefined | string
}

/**
 * One agent for the fuzzer: a connection the server cut (431, a parser error)
 * or that the budget aborted is not reused, and sockets close promptly.
 */
const agent = new Agent({ keepAliveTimeout: 10, pipelining: 1 })

export async function closeHttpDriver(): Promise<void> {
  await agent.close()
}

/** A GraphQL request over POST (JSON body) or GET (URL-encoded parameters), as a well-behaved client sends it. */
export function graphqlCall(graphql: GraphQLRequest, method: 'GET' | 'POST', accept = 'application/graphql-response+json'): HttpCall {
  if (method === 'POST') {
    return { method, path: '/graphql', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(graphql) }
  }
  const params = new URLSearchParams({ query: graphql.query })
  if (graphql.variables !== undefined) params.set('variables', JSON.stringify(graphql.variables))
  if (graphql.operationName !== undefined) params.set('operationName', graphql.operationName)
  return { method, path: `/graphql?${params.toString()}`, headers: { accept } }
}

/**
 * Sends the call and reads the answer; gives up at the response budget
 * (the outcome then says so, and the budget property fails).
 */
export async function sendHttp(baseUrl: string, call: HttpCall): Promise<Outcome> {
  const started = performance.now()
  try {
    const response = await agent.request({
      origin: baseUrl,
      method: call.method,
      path: call.path,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal: AbortSignal.timeout(RESPONSE_BUDGET_MS),
    })
    const text = await response.body.text()
    const slowestMs = performance.now() - started
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown)
    } catch {
      parsed = undefined
    }
    const { codes, uncoded, messages } = errorCodesOf(parsed)
    return { status: String(response.statusCode), codes: distinctSorted(codes), uncoded, slowestMs, messages }
  } catch (error) {
    const slowestMs = performance.now() - started
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return { status: 'no answer', codes: [], uncoded: 0, slowestMs, unanswered: `no answer within ${RESPONSE_BUDGET_MS} ms` }
    }
    // The server may cut a connection on purpose (e.g. after 431 or a malformed request line).
    const code = (error as { code?: unknown }).code
    return { status: `connection ${typeof code === 'string' ? code : 'error'}`, codes: [], uncoded: 0, slowestMs }
  }
}
