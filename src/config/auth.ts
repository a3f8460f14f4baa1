import { z } from 'zod'
import { BffError } from '../errors.js'
import { bool, int } from './env-fields.js'

/**
 * Asymmetric JWS algorithms only: with a shared-secret algorithm (HS*) a
 * verifier holding the provider's *public* key could be fed a token signed
 * with that public key as the HMAC secret (the classic key-confusion attack),
 * and `none` is no signature at all.
 */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] as const
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number]

const algorithmList = z
  .string()
  .transform((text) => text.split(',').map((alg) => alg.trim()).filter((alg) => alg !== ''))
  .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS, { message: `each must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')} (asymmetric only)` })).min(1))

/** Who the BFF trusts to say who is asking (docs/identity.md). */
export const authVars = {
  /** The provider's JSON Web Key Set, e.g. https://id.example.com/.well-known/jwks.json. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The `iss` every token must carry, exactly as the provider writes it. */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** The `aud` every token must name. */
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** Comma-separated JWS algorithms accepted; asymmetric only. */
  AUTH_ALGORITHMS: algorithmList.optional(),
  /** Leeway on `exp`, `nbf` and `iat` for clocks that disagree, in seconds. */
  AUTH_CLOCK_TOLERANCE_S: int(0, 300).default(5),
  /** Longest a JWKS fetch may take before the token it was for is refused (401), in ms. */
  AUTH_JWKS_TIMEOUT_MS: int(100, 60_000).default(2_000),
  /** Least time between two JWKS fetches, so unknown `kid`s cannot make the BFF hammer the provider, in ms. */
  AUTH_JWKS_COOLDOWN_MS: int(0, 600_000).default(30_000),
  /** How long fetched keys are trusted before the JWKS is fetched again, in ms. */
  AUTH_JWKS_MAX_AGE_MS: int(1_000, 86_400_000).default(600_000),
  /** Verified tokens remembered until their `exp` (by a hash of the token); 0 verifies every request. */
  AUTH_TOKEN_CACHE_ENTRIES: int(0, 1_000_000).default(10_000),
  /**
   * Development only: a provider's token endpoint (the auth mock's `POST /token`) from which
   * GraphiQL's page gets a development token for the user it names. `npm start` sets it.
   */
  GRAPHIQL_DEV_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Explicitly run without verification: every caller may act for any user. Never in production. */
  AUTH_DISABLED: bool.default(false),
}

export type AuthConfig =
  | { readonly disabled: true; readonly devTokenUrl: null }
  | {
      readonly disabled: false
      /** Where GraphiQL's development token comes from; null: none (the page has no token). */
      readonly devTokenUrl: string | null
      readonly jwksUrl: string
      readonly issuer: string
      readonly audience: string
      readonly algorithms: readonly AsymmetricAlgorithm[]
      readonly clockToleranceS: number
      readonly jwksTimeoutMs: number
      readonly jwksCooldownMs: number
      readonly jwksMaxAgeMs: number
      readonly tokenCacheEntries: number
    }

export const DEFAULT_AUDIENCE = 'reactive-bff'
const DEFAULT_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['ES256', 'RS256']

/**
 * A deployment can never be open by accident: without an issuer and a key set
 * the BFF refuses to start unless AUTH_DISABLED=true says so explicitly.
 */
export function authConfig(e: z.output<z.ZodObject<typeof authVars>>): AuthConfig {
  if (e.AUTH_DISABLED) return { disabled: true, devTokenUrl: null }
  const missing = [e.AUTH_JWKS_URL === undefined ? 'AUTH_JWKS_URL' : null, e.AUTH_ISSUER === undefined ? 'AUTH_ISSUER' : null].filter(
    (name): name is string => name !== null,
  )
  if (e.AUTH_JWKS_URL === undefined || e.AUTH_ISSUER === undefined) {
    throw new BffError(
      'BFF_ERR_CONFIG_INVALID',
      `Invalid configuration: ${missing.join(' and ')} must be set to verify bearer tokens ` +
        '(the identity provider\'s JWKS URL and issuer), or AUTH_DISABLED=true to run with no authentication at all',
    )
  }
  return {
    disabled: false,
    devTokenUrl: e.GRAPHIQL_DEV_TOKEN_URL ?? null,
    jwksUrl: e.AUTH_JWKS_URL,
    issuer: e.AUTH_ISSUER,
    audience: e.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE,
    algorithms: e.AUTH_ALGORITHMS ?? DEFAULT_ALGORITHMS,
    clockToleranceS: e.AUTH_CLOCK_TOLERANCE_S,
    jwksTimeoutMs: e.AUTH_JWKS_TIMEOUT_MS,
    jwksCooldownMs: e.AUTH_JWKS_COOLDOWN_MS,
    jwksMaxAgeMs: e.AUTH_JWKS_MAX_AGE_MS,
    tokenCacheEntries: e.AUTH_TOKEN_CACHE_ENTRIES,
  }
}
