import type { ServiceName } from '../../config/services.js'
import type { ServiceHealth, ServicePolicy } from './service-policy.js'

export interface DownstreamsReport {
  /** False when a core service's circuit is open: the home screen cannot be served. */
  readonly ready: boolean
  /** True when any other service's circuit is open: screens render with holes. */
  readonly degraded: boolean
  readonly coreServices: readonly ServiceName[]
  readonly services: Readonly<Record<string, ServiceHealth>>
  readonly [detail: string]: unknown
}

/**
 * The `downstreams` section of /health/ready. "Cannot serve the core query"
 * means: the circuit of a core service (default: users, without which the
 * home screen has no subject) is open. Half-open counts as ready: the circuit
 * is letting probes through, and an instance held out of rotation would never
 * receive the traffic that closes it. Numbers only, never error text.
 */
export function createDownstreamsReadiness(
  policies: Readonly<Record<ServiceName, ServicePolicy>>,
  coreServices: readonly ServiceName[],
): () => DownstreamsReport {
  return () => {
    const services: Record<string, ServiceHealth> = {}
    let ready = true
    let degraded = false
    for (const [name, policy] of Object.entries(policies) as [ServiceName, ServicePolicy][]) {
      const health = policy.health()
      services[name] = health
      if (health.breaker !== 'open') continue
      if (coreServices.includes(name)) ready = false
      else degraded = true
    }
    return { ready, degraded, coreServices, services }
  }
}
