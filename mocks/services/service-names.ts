/**
 * The seven services the mocks play. Kept here rather than imported from the
 * BFF's config: the mocks stand for services the BFF does not own, so a drift
 * between what the BFF expects and what they offer shows up in the tests.
 */
export const SERVICE_NAMES = ['users', 'catalog', 'inventory', 'orders', 'reviews', 'notifications', 'recommendations'] as const

export type ServiceName = (typeof SERVICE_NAMES)[number]

/** Default ports, in SERVICE_NAMES order (4001..4007): the BFF's defaults point here. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  users: 4001,
  catalog: 4002,
  inventory: 4003,
  orders: 4004,
  reviews: 4005,
  notifications: 4006,
  recommendations: 4007,
}

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
