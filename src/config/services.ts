/** The downstream services the BFF talks to, in their canonical order. */
export const SERVICE_NAMES = [
  'users',
  'catalog',
  'inventory',
  'orders',
  'reviews',
  'notifications',
  'recommendations',
] as const

export type ServiceName = (typeof SERVICE_NAMES)[number]

/** Default local ports, in SERVICE_NAMES order (4001–4007). */
export const DEFAULT_SERVICE_PORTS: Readonly<Record<ServiceName, number>> = {
  users: 4001,
  catalog: 4002,
  inventory: 4003,
  orders: 4004,
  reviews: 4005,
  notifications: 4006,
  recommendations: 4007,
}
