import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'

/** The one signing algorithm: asymmetric, so verifiers hold only public keys. */
export const SIGNING_ALG = 'ES256'

/** A published verification key (RFC 7517), as `GET /.well-known/jwks.json` lists it. */
export interface PublicJwk {
  readonly kty: 'EC'
  readonly crv: 'P-256'
  readonly x: string
  readonly y: string
  readonly kid: string
  readonly alg: typeof SIGNING_ALG
  readonly use: 'sig'
}

export interface SigningKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly jwk: PublicJwk
}

export interface SigningKeysOptions {
  /**
   * How long a replaced key stays published after a rotation, in ms, so tokens
   * it signed keep verifying until they would expire anyway. 0 drops it at once.
   * @default 600_000 (10 minutes)
   */
  readonly keyGraceMs?: undefined | number
  /** Clock for the grace period, in epoch ms; tests inject one to cross it without waiting. @default Date.now */
  readonly now?: undefined | (() => number)
}

export interface Rotation {
  readonly kid: string
  readonly retiredKid: string
  /** Epoch ms after which `retiredKid` is no longer published. */
  readonly retiredUntil: number
}

/** The provider's key ring: one current signing key and the retired ones still in their grace period. */
export interface SigningKeys {
  readonly current: SigningKey
  /** Starts signing with a fresh key; the old one stays published for `keyGraceMs`. */
  rotate(): Rotation
  /** Public keys to publish now: the current one first, then retired ones within their grace. */
  published(): readonly PublicJwk[]
  /** The public key for `kid` while it is published, else undefined (unknown, or past its grace). */
  verificationKey(kid: string): KeyObject | undefined
}

export const DEFAULT_KEY_GRACE_MS = 600_000
/** A day: longer than any token the mock mints, short enough to catch a seconds/ms mix-up. */
export const MAX_KEY_GRACE_MS = 86_400_000

/** A fresh P-256 key pair, its kid the RFC 7638 thumbprint of the public key (stable and unique per key). */
export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const { x, y } = publicKey.export({ format: 'jwk' })
  if (typeof x !== 'string' || typeof y !== 'string') throw new Error('generateSigningKey: P-256 public key exported without x/y')
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y })).digest('base64url')
  return { kid, privateKey, publicKey, jwk: { kty: 'EC', crv: 'P-256', x, y, kid, alg: SIGNING_ALG, use: 'sig' } }
}

export function createSigningKeys(options: SigningKeysOptions = {}): SigningKeys {
  const graceMs = options.keyGraceMs ?? DEFAULT_KEY_GRACE_MS
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_KEY_GRACE_MS) {
    throw new TypeError(`createSigningKeys: keyGraceMs must be an integer in 0..${MAX_KEY_GRACE_MS}, got ${String(graceMs)}`)
  }
  const now = options.now ?? Date.now
  let current = generateSigningKey()
  // Oldest first; pruned lazily whenever the ring is read, so no timer outlives the service.
  let retired: Array<{ readonly key: SigningKey; readonly until: number }> = []

  const live = (): typeof retired => {
    const t = now()
    retired = retired.filter((entry) => entry.until > t)
    return retired
  }

  return {
    get current() {
      return current
    },
    rotate() {
      const old = current
      current = generateSigningKey()
      const until = now() + graceMs
      retired = [...live(), { key: old, until }]
      return { kid: current.kid, retiredKid: old.kid, retiredUntil: until }
    },
    published() {
      return [current.jwk, ...live().map((entry) => entry.key.jwk).reverse()]
    },
    verificationKey(kid) {
      if (kid === current.kid) return current.publicKey
      return live().find((entry) => entry.key.kid === kid)?.key.publicKey
    },
  }
}
