import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { EventLog } from '../src/events/event-log.js'
import { createMemoryEventLog } from '../src/events/memory-event-log.js'
import type { FaultSettings } from './admin/fault-settings.js'
import { createAuthService, type AuthServiceOptions } from './auth/auth-service.js'
import type { SigningKeys } from './auth/signing-keys.js'
import { baseUrlOf } from './services/base-url.js'
import { createCatalogService } from './services/catalog.js'
import { createInventoryService } from './services/inventory.js'
import { createNotificationsService } from './services/notifications.js'
import { createOrdersService } from './services/orders.js'
import { createRecommendationsService } from './services/recommendations.js'
import { createReviewsService } from './services/reviews.js'
import type { ServiceOptions } from './services/service-app.js'
import { DEFAULT_AUTH_PORT, DEFAULT_PORTS, SERVICE_NAMES, type MockName, type ServiceName } from './services/service-names.js'
import { createUsersService } from './services/users.js'
import { createWorld } from './world/create-world.js'
import type { World } from './world/types.js'

export { SERVICE_NAMES, DEFAULT_PORTS, DEFAULT_AUTH_PORT, type ServiceName, type MockName }
export type { FaultSettings, World, EventLog }

export interface StartMocksOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: undefined | string
  /**
   * Port per service; 0 picks a free one (tests). @default 4001..4007 (DEFAULT_PORTS)
   * and auth 4008, except that auth defaults to 0 when all seven data services
   * are given port 0: callers that ask for free ports everywhere (tests,
   * benchmarks) must not collide on 4008.
   */
  readonly ports?: undefined | Partial<Record<MockName, number>>
  /** Where services append domain events. @default a new in-process log, closed by `close()` */
  readonly eventLog?: undefined | EventLog
  /** Start-up faults per service, laid over each service's defaults (recommendations: 80 ms latency). */
  readonly faults?: undefined | Partial<Record<ServiceName, FaultSettings>>
  /** The world to serve. @default a fresh `createWorld()` */
  readonly world?: undefined | World
  /** Enables the fastify logger of every service. @default false */
  readonly logger?: undefined | boolean
  /**
   * Orders and notifications demand a bearer token from the auth mock on every
   * route and serve only the token's subject (or scope `admin`): missing or
   * invalid → 401, someone else's data → 403 (mocks/API.md, "Identity checks").
   * @default false (every route open, as before identity existed)
   */
  readonly requireIdentity?: undefined | boolean
  /** Options of the auth mock: key grace period, its clock, start-up faults. */
  readonly auth?: undefined | Pick<AuthServiceOptions, 'keyGraceMs' | 'now' | 'faults' | 'random'>
}

/** The running identity provider. */
export interface RunningAuth {
  /** Its base URL, which is also the `iss` of its tokens, e.g. `http://127.0.0.1:4008`. */
  readonly url: string
  /** `${url}/.well-known/jwks.json`, for `createRemoteJWKSet`. */
  readonly jwksUrl: string
  /** `${url}/token`: POST `{"sub","scope"?,"ttlSeconds"?}` for a token. */
  readonly tokenUrl: string
  readonly service: FastifyInstance
  /** Its key ring, for tests that look at keys without HTTP. */
  readonly keys: SigningKeys
}

export interface RunningMocks {
  /** Base URL per service, e.g. `http://127.0.0.1:4001` (no trailing slash). */
  readonly urls: Readonly<Record<ServiceName, string>>
  readonly services: Readonly<Record<ServiceName, FastifyInstance>>
  readonly world: World
  readonly eventLog: EventLog
  /** The identity provider, kept apart from `urls`/`services`, which list the seven data services. */
  readonly auth: RunningAuth
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

function mapServices<T>(fn: (name: ServiceName) => T): Record<ServiceName, T> {
  // Object.fromEntries loses the key type; SERVICE_NAMES supplies every key.
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, fn(name)])) as Record<ServiceName, T>
}

/** Starts the seven data services on one shared world and event log, and the auth mock beside them. */
export async function startMocks(options: StartMocksOptions = {}): Promise<RunningMocks> {
  const host = options.host ?? '127.0.0.1'
  if (typeof host !== 'string' || host === '') throw new TypeError(`startMocks: host must be a non-empty string, got ${String(host)}`)
  const ports = mapServices((name) => options.ports?.[name] ?? DEFAULT_PORTS[name])
  const authPort = options.ports?.auth ?? (SERVICE_NAMES.every((name) => ports[name] === 0) ? 0 : DEFAULT_AUTH_PORT)
  for (const [name, port] of [...SERVICE_NAMES.map((n) => [n, ports[n]] as const), ['auth', authPort] as const]) {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`startMocks: ports.${name} must be 0..65535, got ${String(port)}`)
  }
  if (options.requireIdentity !== undefined && typeof options.requireIdentity !== 'boolean') {
    throw new TypeError(`startMocks: requireIdentity must be a boolean, got ${String(options.requireIdentity)}`)
  }
  const auth = createAuthService({ ...options.auth, logger: options.logger })
  const identity = options.requireIdentity === true ? auth.verifier : undefined
  const world = options.world ?? createWorld()
  const ownsLog = options.eventLog === undefined
  const eventLog = options.eventLog ?? createMemoryEventLog()
  const services = mapServices((name) =>
    FACTORIES[name]({ world, eventLog, faults: options.faults?.[name], logger: options.logger, identity }),
  )
  const all = [...SERVICE_NAMES.map((name) => services[name]), auth.app]

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(all.map((app) => app.close()))
      if (ownsLog) await eventLog.close()
    })()
    return closing
  }

  try {
    await Promise.all([...SERVICE_NAMES.map((name) => services[name].listen({ host, port: ports[name] })), auth.app.listen({ host, port: authPort })])
  } catch (err) {
    await close()
    throw err
  }
  const authUrl = auth.issuer()
  return {
    urls: mapServices((name) => baseUrlOf(services[name])),
    services,
    world,
    eventLog,
    auth: { url: authUrl, jwksUrl: `${authUrl}/.well-known/jwks.json`, tokenUrl: `${authUrl}/token`, service: auth.app, keys: auth.keys },
    close,
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (invokedDirectly) {
  // Handed startMocks rather than importing it: the CLI importing this module back would deadlock on the top-level await.
  const { runStartMocksCli } = await import('./start-mocks-cli.js')
  await runStartMocksCli(startMocks)
}
