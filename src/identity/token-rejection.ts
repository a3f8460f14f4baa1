/**
 * Why a presented token was refused. Every reason answers the client the
 * same way (401 / 4403, UNAUTHENTICATED); the reason is for logs and metrics.
 */
export type RejectionReason =
  | 'malformed'
  | 'signature'
  | 'algorithm'
  | 'expired'
  | 'claims'
  | 'unknown_key'
  | 'keys_unavailable'

/**
 * jose's error codes (never its messages), mapped to a reason. A code not
 * listed (ERR_JOSE_GENERIC from a JWKS answered with a non-200, a fetch that
 * failed without a code) means the keys could not be had.
 */
const REASON_BY_CODE: Readonly<Record<string, RejectionReason>> = {
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JOSE_NOT_SUPPORTED: 'algorithm',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'claims',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown_key',
  ERR_JWKS_TIMEOUT: 'keys_unavailable',
  ERR_JWKS_INVALID: 'keys_unavailable',
}

/** A token that was presented and is not acceptable. Carries no part of the token. */
export class TokenRejection extends Error {
  readonly reason: RejectionReason
  /** The claim a failed claim check named (`iss`, `aud`, `nbf`, `sub`, …), when jose says. */
  readonly claim: string | undefined

  constructor(reason: RejectionReason, options?: { readonly claim?: undefined | string; readonly cause?: unknown }) {
    super(`bearer token refused: ${reason}${options?.claim === undefined ? '' : ` (${options.claim})`}`, { cause: options?.cause })
    this.name = 'TokenRejection'
    this.reason = reason
    this.claim = options?.claim
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** Classifies a verification failure by its jose `code`. */
export function rejectionFrom(error: unknown): TokenRejection {
  if (error instanceof TokenRejection) return error
  const reason = REASON_BY_CODE[codeOf(error) ?? ''] ?? 'keys_unavailable'
  const claim = (error as { claim?: unknown } | null)?.claim
  return new TokenRejection(reason, { claim: typeof claim === 'string' ? claim : undefined, cause: error })
}
