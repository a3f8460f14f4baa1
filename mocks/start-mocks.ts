import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { EventLog } from '../src/events/event-log.js'
import { createMemoryEventLog } from '../src/events/memory-event-log.js'
import type { FaultSettings } from './admin/fault-settings.js'
import { createCatalogService } from './services/catalog.js'
import { createInventoryService } from './services/inventory.js'
import { createNotificationsService } from './services/notifications.js'
import { createOrdersService } from './services/orders.js'
import { createRecommendationsService } from './services/recommendations.js'
import { createReviewsService } from './services/reviews.js'
import type { ServiceOptions } from './services/service-app.js'
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from './services/service-names.js'
import { createUsersService } from './services/users.js'
import { createWorld } from './world/create-world.js'
import type { World } from './world/types.js'

export { SERVICE_NAMES, DEFAULT_PORTS, type ServiceName }
export type { FaultSettings, World, EventLog }

export interface StartMocksOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: undefined | string
  /** Port per service; 0 picks a free one (tests). @default 4001..4007, see DEFAULT_PORTS */
  readonly ports?: undefined | Partial<Record<ServiceName, number>>
  /** Where services append domain events. @default a new in-process log, closed by `close()` */
  readonly eventLog?: undefined | EventLog
  /** Start-up faults per service, laid over each service's defaults (recommendations: 80 ms latency). */
  readonly faults?: undefined | Partial<Record<ServiceName, FaultSettings>>
  /** The world to serve. @default a fresh `createWorld()` */
  readonly world?: undefined | World
  /** Enables the fastify logger of every service. @default false */
  readonly logger?: undefined | boolean
}

export interface RunningMocks {
  /** Base URL per service, e.g. `http://127.0.0.1:4001` (no trailing slash). */
  readonly urls: Readonly<Record<ServiceName, string>>
  readonly services: Readonly<Record<ServiceName, FastifyInstance>>
  readonly world: World
  readonly eventLog: EventLog
  /** Closes every service (dropping hung requests) and the event log if `startMocks` created it. */
  close(): Promise<void>
}

const FACTORIES: Readonly<Record<ServiceName, (options: ServiceOptions) => FastifyInstance>> = {
  users: createUsersService,
  catalog: createCatalogService,
  inventory: createInventoryService,
  orders: createOrdersService,
  reviews: createReviewsService,
  notifications: createNotificationsService,
  recommendations: createRecommendationsService,
}

function urlOf(app: FastifyInstance): string {
  // listen() has resolved, so the server is bound to a TCP address (not a pipe).
  const { address, family, port } = app.server.address() as AddressInfo
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address
  return family === 'IPv6' || host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`
}

function mapServices<T>(fn: (name: ServiceName) => T): Record<ServiceName, T> {
  // Object.fromEntries loses the key type; SERVICE_NAMES supplies every key.
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, fn(name)])) as Record<ServiceName, T>
}

/** Starts all seven mock services on one shared world and event log. */
export async function startMocks(options: StartMocksOptions = {}): Promise<RunningMocks> {
  const host = options.host ?? '127.0.0.1'
  if (typeof host !== 'string' || host === '') throw new TypeError(`startMocks: host must be a non-empty string, got ${String(host)}`)
  const ports = mapServices((name) => options.ports?.[name] ?? DEFAULT_PORTS[name])
  for (const name of SERVICE_NAMES) {
    const port = ports[name]
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`startMocks: ports.${name} must be 0..65535, got ${String(port)}`)
  }
  const world = options.world ?? createWorld()
  const ownsLog = options.eventLog === undefined
  const eventLog = options.eventLog ?? createMemoryEventLog()
  const services = mapServices((name) =>
    FACTORIES[name]({ world, eventLog, faults: options.faults?.[name], logger: options.logger }),
  )

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(SERVICE_NAMES.map((name) => services[name].close()))
      if (ownsLog) await eventLog.close()
    })()
    return closing
  }

  try {
    await Promise.all(SERVICE_NAMES.map((name) => services[name].listen({ host, port: ports[name] })))
  } catch (err) {
    await close()
    throw err
  }
  return { urls: mapServices((name) => urlOf(services[name])), services, world, eventLog, close }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (invokedDirectly) {
  // Handed startMocks rather than importing it: the CLI importing this module back would deadlock on the top-level await.
  const { runStartMocksCli } = await import('./start-mocks-cli.js')
  await runStartMocksCli(startMocks)
}
