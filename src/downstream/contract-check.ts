import type { ServiceName } from '../config/services.js'
import type { Contract } from './contract.js'
import { DownstreamError } from './errors.js'

/** Checks a downstream body against its contract; drift becomes DOWNSTREAM_ERROR. */
export function checked<T>(service: ServiceName, contract: Contract<T>, body: unknown): T {
  if (!contract.is(body)) {
    throw new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service answered outside its contract`, {
      cause: new TypeError(contract.explain(body)),
    })
  }
  return body
}

/** Builds `path?a=1&b=2` (values percent-encoded), skipping undefined values. */
export function withQuery(path: string, params: Readonly<Record<string, string | number | undefined>>): string {
  let query = ''
  for (const key in params) {
    const value = params[key]
    if (value === undefined) continue
    query += `${query.length === 0 ? '?' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`
  }
  return path + query
}

/** Path segment for an id; ids come from GraphQL clients, so they are escaped. */
export const seg = (value: string): string => encodeURIComponent(value)
