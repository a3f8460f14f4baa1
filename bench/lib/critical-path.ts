/** The services the home query touches (reviews is not one of them). */
export const HOME_SERVICES = ['users', 'orders', 'catalog', 'inventory', 'notifications', 'recommendations'] as const

export type HomeService = (typeof HOME_SERVICES)[number]

/** Fixed mock latency per service, in ms. */
export type Latencies = Readonly<Record<HomeService, number>>

/**
 * The latency-mode profile: a 100 ms critical path (recommendations 50 ms, then
 * catalog 50 ms) with every other leg shorter, so any leg run in series instead
 * of in parallel shows up as a ratio well above 1.
 */
export const LATENCY_MODE_LATENCIES: Latencies = {
  users: 20,
  orders: 30,
  catalog: 50,
  inventory: 30,
  notifications: 20,
  recommendations: 50,
}

/** ~1 ms everywhere: downstream waits stop mattering and the servers' own CPU decides throughput. */
export const CPU_MODE_LATENCIES: Latencies = Object.fromEntries(HOME_SERVICES.map((name) => [name, 1])) as Record<HomeService, number>

export interface CriticalPath {
  readonly ms: number
  /** e.g. "recommendations → max(catalog, inventory)" */
  readonly chain: string
}

/**
 * The home query's dependency graph: users, orders, recommendations and
 * notifications start at once; order items and recommended products each need
 * one catalog and one inventory batch call, which run side by side. The
 * critical path is the longest of those chains, i.e. the best latency a
 * perfectly parallel BFF with zero overhead could reach.
 */
export function homeCriticalPath(l: Latencies): CriticalPath {
  const products = Math.max(l.catalog, l.inventory)
  const chains: readonly CriticalPath[] = [
    { ms: l.users, chain: 'users' },
    { ms: l.orders + products, chain: 'orders → max(catalog, inventory)' },
    { ms: l.recommendations + products, chain: 'recommendations → max(catalog, inventory)' },
    { ms: l.notifications, chain: 'notifications' },
  ]
  return chains.reduce((longest, chain) => (chain.ms > longest.ms ? chain : longest))
}
