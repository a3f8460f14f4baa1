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
