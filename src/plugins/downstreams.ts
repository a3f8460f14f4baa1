import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Pool, type Dispatcher } from 'undici'
import type { Config } from '../config/load-config.js'
import { SERVICE_NAMES, type ServiceName } from '../config/services.js'
import { createDownstreamClients, type DownstreamClients } from '../downstream/clients.js'
import { createDownstreamsReadiness } from '../downstream/resilience/downstreams-readiness.js'
import { createServicePolicy, type ServicePolicy } from '../downstream/resilience/service-policy.js'
import { createServiceCaller, type ServiceCaller } from '../downstream/service-caller.js'

export interface Downstreams {
  readonly clients: DownstreamClients
  readonly callers: Readonly<Record<ServiceName, ServiceCaller>>
  /** Per-service breaker, bulkhead, retry budget and stats, shared by every request. */
  readonly policies: Readonly<Record<ServiceName, ServicePolicy>>
  /** Time a GraphQL request has for all its downstream calls, in ms. */
  readonly requestDeadlineMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    downstreams: Downstreams
  }
}

/**
 * Replaces the network under the downstream layer (the overhead benchmark
 * answers from memory). Everything above the dispatcher still runs.
 */
export type DispatcherFactory = (service: ServiceName, origin: string) => Dispatcher

export interface DownstreamsOptions {
  readonly config: Config
  /** @default one keep-alive undici Pool per service */
  readonly dispatcherFactory?: undefined | DispatcherFactory
}

/** One keep-alive undici Pool per downstream service, with every limit explicit. */
async function downstreams(app: FastifyInstance, options: DownstreamsOptions): Promise<void> {
  const settings = options.config.downstream
  const resilience = options.config.resilience
  const pools = {} as Record<ServiceName, Dispatcher>
  const callers = {} as Record<ServiceName, ServiceCaller>
  const policies = {} as Record<ServiceName, ServicePolicy>
  for (const name of SERVICE_NAMES) {
    const service = settings.services[name]
    const own = resilience.services[name]
    const pool =
      options.dispatcherFactory?.(name, service.url) ??
      new Pool(service.url, {
        connections: service.connections,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        headersTimeout: settings.headersTimeoutMs,
        bodyTimeout: settings.bodyTimeoutMs,
        connect: { timeout: settings.connectTimeoutMs },
        maxResponseSize: settings.maxResponseBytes,
      })
    pools[name] = pool
    const policy = createServicePolicy({
      service: name,
      retry: { ...resilience.retry, maxRetries: own.maxRetries },
      breaker: resilience.breaker,
      bulkheadConcurrency: own.bulkheadConcurrency,
      bulkheadQueue: own.bulkheadQueue,
      adaptiveLimit: options.config.concurrency.mode === 'adaptive' ? options.config.concurrency.services[name] : undefined,
      log: app.log,
      meter: app.telemetry.metrics.client(name),
    })
    policies[name] = policy
    callers[name] = createServiceCaller({
      service: name,
      dispatcher: pool,
      timeoutMs: service.timeoutMs,
      attemptTimeoutMs: own.attemptTimeoutMs,
      policy,
    })
  }
  app.decorate('downstreams', {
    clients: createDownstreamClients(callers),
    callers,
    policies,
    requestDeadlineMs: resilience.requestDeadlineMs,
  })
  app.readiness.register('downstreams', createDownstreamsReadiness(policies, resilience.coreServices))
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.close()))
  })
}

export default fp(downstreams, { name: 'downstreams', dependencies: ['health', 'telemetry'] })
