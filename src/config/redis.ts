import { z } from 'zod'

export const redisVars = {
  /** Unset: the embedded in-process cache and event log stand in for Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
}

export interface RedisConfig {
  /** null: use the embedded in-process implementations. */
  readonly url: string | null
}

export function redisConfig(e: z.output<z.ZodObject<typeof redisVars>>): RedisConfig {
  return { url: e.REDIS_URL ?? null }
}
