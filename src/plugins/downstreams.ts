import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Pool } from 'undici'
import type { Config } from '../config/load-config.js'
import { SERVICE_NAMES, type ServiceName } from '../config/services.js'
import { createDownstreamClients, type DownstreamClients } from '../downstream/clients.js'
import { createServiceCaller, type ServiceCaller } from '../downstream/service-caller.js'

export interface Downstreams {
  readonly clients: DownstreamClients
  readonly callers: Readonly<Record<ServiceName, ServiceCaller>>
  readonly pools: Readonly<Record<ServiceName, Pool>>
}

declare module 'fastify' {
  interface FastifyInstance {
    downstreams: Downstreams
  }
}

/** One keep-alive undici Pool per downstream service, with every limit explicit. */
async function downstreams(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const settings = options.config.downstream
  const pools = {} as Record<ServiceName, Pool>
  const callers = {} as Record<ServiceName, ServiceCaller>
  for (const name of SERVICE_NAMES) {
    const service = settings.services[name]
    const pool = new Pool(service.url, {
      connections: service.connections,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
      connect: { timeout: settings.connectTimeoutMs },
      maxResponseSize: settings.maxResponseBytes,
    })
    pools[name] = pool
    callers[name] = createServiceCaller({ service: name, dispatcher: pool, timeoutMs: service.timeoutMs })
  }
  app.decorate('downstreams', { clients: createDownstreamClients(callers), callers, pools })
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.close()))
  })
}

export default fp(downstreams, { name: 'downstreams' })
