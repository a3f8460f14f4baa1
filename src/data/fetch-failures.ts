import type { FetchFailures } from '../cache/resource-table.js'
import { SERVICE_NAMES, type ServiceName } from '../config/services.js'
import { DownstreamError } from '../downstream/errors.js'
import { ClientError } from '../errors.js'

/** Downstream failures worth hiding behind a stale entry (not "your input is wrong"). */
const STALE_ON: ReadonlySet<string> = new Set([
  'DOWNSTREAM_UNAVAILABLE',
  'DOWNSTREAM_ERROR',
  'DOWNSTREAM_TIMEOUT',
  'DOWNSTREAM_CIRCUIT_OPEN',
  'DOWNSTREAM_OVERLOADED',
])

function serviceNamed(service: string): ServiceName {
  const found = SERVICE_NAMES.find((name) => name === service)
  // The cache only passes the `service` of a resource in data/resources.ts, which is a ServiceName.
  if (found === undefined) throw new TypeError(`no downstream service named ${service}`)
  return found
}

/** The downstream layer's errors as the entity cache needs to tell and make them. */
export const DOWNSTREAM_FETCH_FAILURES: FetchFailures = {
  isNotFound: (error) => error instanceof DownstreamError && error.code === 'NOT_FOUND',
  servesStale: (error) => !(error instanceof ClientError) || STALE_ON.has(error.code),
  notFound: (service) => new DownstreamError('NOT_FOUND', serviceNamed(service), `${service}: not found`),
  aborted: (service) => new DownstreamError('REQUEST_ABORTED', serviceNamed(service), 'the client went away before the call finished'),
}
