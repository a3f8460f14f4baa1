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

/**
 * The eighth mock, the identity provider. Not in SERVICE_NAMES on purpose: the
 * BFF trusts it for keys but never fetches data from it, and SERVICE_NAMES is
 * the BFF's list of data services.
 */
export const AUTH_SERVICE = 'auth'
export const DEFAULT_AUTH_PORT = 4008

/** A name `--port` and `ports` accept: the seven data services and auth. */
export type MockName = ServiceName | typeof AUTH_SERVICE

export function isMockName(value: string): value is MockName {
  return value === AUTH_SERVICE || isServiceName(value)
}

/** Every mock's name: the seven data services, then auth. */
export const MOCK_NAMES: readonly MockName[] = [...SERVICE_NAMES, AUTH_SERVICE]
