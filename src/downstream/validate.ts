import { map, type OperatorFunction } from 'rxjs'
import type { z } from 'zod'
import type { ServiceName } from '../config/services.js'
import { DownstreamError } from './errors.js'

/** Parses a downstream body against its contract; drift becomes DOWNSTREAM_ERROR. */
export function validated<S extends z.ZodType>(service: ServiceName, schema: S): OperatorFunction<unknown, z.output<S>> {
  return map((body) => {
    const result = schema.safeParse(body)
    if (!result.success) {
      throw new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service answered outside its contract`, {
        cause: result.error,
      })
    }
    return result.data
  })
}

/** Builds `path?a=1&b=2`, skipping undefined values. */
export function withQuery(path: string, params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value))
  }
  const query = search.toString()
  return query.length > 0 ? `${path}?${query}` : path
}

/** Path segment for an id; ids come from GraphQL clients, so they are escaped. */
export const seg = (value: string): string => encodeURIComponent(value)
