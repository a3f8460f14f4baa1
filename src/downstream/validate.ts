import { map, type OperatorFunction } from 'rxjs'
import type { z } from 'zod'
import type { ServiceName } from '../config/services.js'
import { DownstreamError } from './errors.js'

/**
 * Parses a downstream body against its contract (drift becomes
 * DOWNSTREAM_ERROR), then takes from it what the client returns: one operator
 * for both, since it runs for every downstream call.
 */
export function validated<S extends z.ZodType>(service: ServiceName, schema: S): OperatorFunction<unknown, z.output<S>>
export function validated<S extends z.ZodType, R>(
  service: ServiceName,
  schema: S,
  project: (body: z.output<S>) => R,
): OperatorFunction<unknown, R>
export function validated<S extends z.ZodType, R>(
  service: ServiceName,
  schema: S,
  project?: (body: z.output<S>) => R,
): OperatorFunction<unknown, z.output<S> | R> {
  return map((body) => {
    const result = schema.safeParse(body)
    if (!result.success) {
      throw new DownstreamError('DOWNSTREAM_ERROR', service, `${service} service answered outside its contract`, {
        cause: result.error,
      })
    }
    return project === undefined ? result.data : project(result.data)
  })
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
