import autocannon from 'autocannon'
import { isRecord } from './admin-client.js'
import { baselinePath, FLOOR_REQUEST_BODY, homeRequestBody, userIdAt } from './home-query.js'
import type { LoadOptions, LoadResult } from './load-result.js'

function errorCodesOf(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body)
    const errors = isRecord(parsed) && Array.isArray(parsed['errors']) ? parsed['errors'] : []
    return errors.map((error: unknown) => {
      const extensions = isRecord(error) ? error['extensions'] : undefined
      return isRecord(extensions) && typeof extensions['code'] === 'string' ? extensions['code'] : 'NO_CODE'
    })
  } catch {
    return ['UNPARSABLE_BODY']
  }
}

/**
 * Drives the home query with autocannon in this process. Each request goes to
 * the next user in the scattered sequence (home-query.ts), and every 200 body
 * is checked for a GraphQL `errors` entry, which a status count alone misses.
 */
export async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  let n = 0
  let graphqlErrors = 0
  const errorCodes: Record<string, number> = {}
  const isBff = options.kind !== 'baseline'
  const floor = options.kind === 'floor'
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.durationS,
    ...(options.amount === undefined ? {} : { amount: options.amount }),
    // Ten seconds is autocannon's default; stated because a timeout counts as an error, not a latency.
    timeout: 10,
    requests: [
      {
        method: isBff ? 'POST' : 'GET',
        path: isBff ? '/graphql' : '/home/1',
        headers: {
          ...(isBff ? { 'content-type': 'application/json', accept: 'application/json' } : {}),
          ...(options.bearerToken === undefined ? {} : { authorization: `Bearer ${options.bearerToken}` }),
          ...options.headers,
        },
        setupRequest: (request) => {
          const userId = userIdAt(n++)
          if (floor) return { ...request, body: FLOOR_REQUEST_BODY }
          return isBff ? { ...request, body: homeRequestBody(userId) } : { ...request, path: baselinePath(userId) }
        },
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"errors"')) {
            graphqlErrors++
            // Parsed only when errors are present: rare, so the load generator stays cheap.
            for (const code of errorCodesOf(body)) errorCodes[code] = (errorCodes[code] ?? 0) + 1
          }
        },
      },
    ],
  })
  const requests = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  return {
    requests,
    durationS: result.duration,
    reqPerS: requests / result.duration,
    latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    non2xx: result.non2xx,
    socketErrors: result.errors,
    graphqlErrors,
    errorCodes,
    generator: `autocannon ${options.connections} connections (in the bench process)`,
  }
}
