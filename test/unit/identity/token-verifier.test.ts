import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose'
import { describe, expect, it } from 'vitest'
import { bearerCredential } from '../../../src/identity/bearer.js'
import { TokenRejection } from '../../../src/identity/token-rejection.js'
import { createTokenVerifier } from '../../../src/identity/token-verifier.js'

const ISSUER = 'https://id.test'

async function provider() {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
  const local = createLocalJWKSet({ keys: [jwk] })
  let lookups = 0
  const keys: JWTVerifyGetKey = (header, token) => {
    lookups += 1
    return local(header, token)
  }
  const sign = (claims: Record<string, unknown>, expSeconds: number) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(ISSUER).setAudience('reactive-bff').setIssuedAt().setExpirationTime(expSeconds).sign(privateKey)
  return { keys, sign, lookups: () => lookups }
}

const options = { issuer: ISSUER, audience: 'reactive-bff', algorithms: ['ES256'] as const, clockToleranceS: 0 }
const nowS = (): number => Math.floor(Date.now() / 1_000)

describe('token verifier', () => {
  it('turns a valid token into a viewer with its subject, scopes and the token to relay', async () => {
    const p = await provider()
    const exp = nowS() + 60
    const token = await p.sign({ sub: '7', scope: 'admin  orders:read' }, exp)
    const verified = await createTokenVerifier({ ...options, keys: p.keys, cacheEntries: 0 }).verify(token)
    expect(verified.viewer).toEqual({ subject: '7', scopes: new Set(['admin', 'orders:read']), token })
    expect(verified.expiresAtMs).toBe(exp * 1_000)
  })

  it('remembers a verified token until its exp, and no longer', async () => {
    const p = await provider()
    let now = Date.now()
    const verifier = createTokenVerifier({ ...options, keys: p.keys, cacheEntries: 10, now: () => now })
    const token = await p.sign({ sub: '7' }, Math.floor(now / 1_000) + 2)
    await verifier.verify(token)
    await verifier.verify(token)
    expect(p.lookups()).toBe(1)
    now += 3_000
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'expired' })
    expect(p.lookups()).toBe(2)
  })

  it('classifies failures by jose code, never by message', async () => {
    const p = await provider()
    const verifier = createTokenVerifier({ ...options, keys: p.keys, cacheEntries: 10 })
    const other = await provider()
    await expect(verifier.verify(await other.sign({ sub: '1' }, nowS() + 60))).rejects.toMatchObject({ reason: 'signature' })
    await expect(verifier.verify('x.y.z')).rejects.toMatchObject({ reason: 'malformed' })
    await expect(verifier.verify(await p.sign({ sub: '1', scope: ['admin'] }, nowS() + 60))).rejects.toMatchObject({ reason: 'claims', claim: 'scope' })
    await expect(verifier.verify(await p.sign({}, nowS() + 60))).rejects.toBeInstanceOf(TokenRejection)
  })

  it('reads only well-formed bearer credentials; absent is anonymous, anything else malformed', () => {
    expect(bearerCredential(undefined)).toEqual({ kind: 'none' })
    expect(bearerCredential('')).toEqual({ kind: 'none' })
    expect(bearerCredential('bearer abc.def-_~+/=')).toEqual({ kind: 'token', token: 'abc.def-_~+/=' })
    for (const value of ['Basic x', 'Bearer', 'Bearer a b', 42, `Bearer ${'a'.repeat(9_000)}`]) expect(bearerCredential(value)).toEqual({ kind: 'malformed' })
  })

  it('measures what the verified-token cache saves (printed; a hit must cost under a fifth of a verification)', async () => {
    const p = await provider()
    const token = await p.sign({ sub: '7', scope: 'admin' }, nowS() + 3_600)
    const uncached = createTokenVerifier({ ...options, keys: p.keys, cacheEntries: 0 })
    const cached = createTokenVerifier({ ...options, keys: p.keys, cacheEntries: 10 })
    const runs = 2_000
    const time = async (verify: () => Promise<unknown>): Promise<number> => {
      for (let i = 0; i < 200; i++) await verify()
      const started = process.hrtime.bigint()
      for (let i = 0; i < runs; i++) await verify()
      return Number(process.hrtime.bigint() - started) / runs / 1_000
    }
    const fullUs = await time(() => uncached.verify(token))
    const hitUs = await time(() => cached.verify(token))
    process.stdout.write(`token verification: ${fullUs.toFixed(1)} µs uncached (ES256), ${hitUs.toFixed(1)} µs from the cache\n`)
    expect(hitUs).toBeLessThan(fullUs / 5)
  })
})
