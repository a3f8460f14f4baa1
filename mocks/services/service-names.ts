import { DEFAULT_SERVICE_PORTS, SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'

/**
 * The seven mock services are the BFF's downstream services: one list, kept in
 * src/config (mocks may import from src, never the other way round).
 */
export { SERVICE_NAMES, type ServiceName }

/** Default ports, in SERVICE_NAMES order (4001..4007). */
export const DEFAULT_PORTS = DEFAULT_SERVICE_PORTS

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value)
}
