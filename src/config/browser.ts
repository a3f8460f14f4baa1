import { z } from 'zod'
import { bool, int } from './env-fields.js'
import type { graphqlVars } from './graphql.js'
import type { serverVars } from './server.js'

/** `https://app.example,https://admin.example`: origins only (scheme, host, port), no paths. */
const origins = z
  .string()
  .transform((list) => list.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
  .pipe(z.array(z.string().regex(/^https?:\/\/[\w.-]+(:\d{1,5})?$/, 'expected an origin like https://app.example or http://localhost:3000')))

/** What browsers see: CORS and response compression. */
export const browserVars = {
  /** Origins allowed to call /graphql from a browser. @default none in production, this server's own GraphiQL origin otherwise */
  CORS_ORIGINS: origins.optional(),
  /** Let allowed origins send cookies and Authorization (Access-Control-Allow-Credentials). */
  CORS_CREDENTIALS: bool.default(false),
  /** br and gzip responses for clients that accept them. */
  COMPRESSION_ENABLED: bool.default(true),
  /** Bodies smaller than this are sent as they are: compressing them costs more CPU than the bytes saved. */
  COMPRESSION_THRESHOLD_BYTES: int(0, 10 * 1_048_576).default(1_024),
}

export interface BrowserConfig {
  /** Exact origins allowed by CORS; empty: no cross-origin browser access. */
  readonly corsOrigins: readonly string[]
  readonly corsCredentials: boolean
  readonly compression: boolean
  readonly compressionThresholdBytes: number
}

export function browserConfig(e: z.output<z.ZodObject<typeof browserVars & Pick<typeof serverVars, 'PORT'> & Pick<typeof graphqlVars, 'NODE_ENV'>>>): BrowserConfig {
  // NODE_ENV (read in graphql.ts) picks this default only: production allows no origin unless CORS_ORIGINS names some.
  // GraphiQL is served by the BFF itself (/graphiql), on the address it listens on.
  const development = [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`]
  return {
    corsOrigins: e.CORS_ORIGINS ?? (e.NODE_ENV === 'production' ? [] : development),
    corsCredentials: e.CORS_CREDENTIALS,
    compression: e.COMPRESSION_ENABLED,
    compressionThresholdBytes: e.COMPRESSION_THRESHOLD_BYTES,
  }
}
