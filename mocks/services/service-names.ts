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
