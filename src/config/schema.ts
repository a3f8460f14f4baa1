import { z } from 'zod'
import { authVars } from './auth.js'
import { browserVars } from './browser.js'
import { cacheVars } from './cache.js'
import { concurrencyVars } from './concurrency.js'
import { downstreamVars, serviceVars } from './downstream.js'
import { edgeVars } from './edge.js'
import { graphqlVars } from './graphql.js'
import { redisVars } from './redis.js'
import { persistedQueryVars } from './persisted-queries.js'
import { resilienceVars } from './resilience.js'
import { serverVars } from './server.js'
import { subscriptionVars } from './subscriptions.js'
import { telemetryVars } from './telemetry.js'

/**
 * The environment variables the BFF reads, with types, bounds and defaults:
 * one schema per section, validated together once at boot (load-config.ts).
 */
export const envSchema = z.object({
  ...serverVars,
  ...graphqlVars,
  ...downstreamVars,
  ...redisVars,
  ...subscriptionVars,
  ...serviceVars,
  ...resilienceVars,
  ...cacheVars,
  ...authVars,
  ...edgeVars,
  ...persistedQueryVars,
  ...browserVars,
  ...telemetryVars,
  ...concurrencyVars,
})

export type Env = z.input<typeof envSchema>
