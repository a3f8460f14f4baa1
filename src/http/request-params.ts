import { ClientError } from '../errors.js'

/** The GraphQL-over-HTTP request parameters, validated. */
export interface GraphQLParams {
  /** Undefined only beside `extensions.persistedQuery` (a hash stands for the document). */
  readonly query: string | undefined
  readonly variables: Readonly<Record<string, unknown>> | undefined
  readonly operationName: string | undefined
  readonly extensions: Readonly<Record<string, unknown>> | undefined
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const badRequest = (message: string): ClientError => new ClientError('BAD_REQUEST', message)

function optionalMap(name: string, value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined || value === null) return undefined
  if (!isMap(value)) throw badRequest(`"${name}" must be an object (map) or null`)
  return value
}

/** GET carries variables/extensions as URL-encoded JSON strings. */
function jsonParam(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    throw badRequest(`"${name}" must be a JSON-encoded object`)
  }
}

/**
 * Validates the parameters per the GraphQL-over-HTTP spec: `query` must be a
 * string, `variables` and `extensions` maps (or null), `operationName` a string
 * (or null). Any violation is a request error (400), answered before parsing.
 * `query` may be left out beside `extensions.persistedQuery` (Apollo's
 * automatic persisted queries, trusted documents by id).
 */
export function readParams(source: unknown, method: 'GET' | 'POST'): GraphQLParams {
  if (!isMap(source)) throw badRequest('the request body must be a JSON object')
  const { query, operationName } = source
  const extensions = optionalMap('extensions', method === 'GET' ? jsonParam('extensions', source['extensions']) : source['extensions'])
  const absent = query === undefined || query === null || query === ''
  if (absent && (extensions?.['persistedQuery'] ?? null) === null) throw badRequest('"query" is required')
  if (!absent && typeof query !== 'string') throw badRequest('"query" must be a string')
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw badRequest('"operationName" must be a string or null')
  }
  const variables = method === 'GET' ? jsonParam('variables', source['variables']) : source['variables']
  return {
    query: typeof query === 'string' && query !== '' ? query : undefined,
    variables: optionalMap('variables', variables),
    operationName: operationName ?? undefined,
    extensions,
  }
}
