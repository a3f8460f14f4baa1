import type { FastifyInstance } from 'fastify'
import { baseUrlOf } from '../services/base-url.js'
import { createServiceApp, type SkeletonOptions } from '../services/service-app.js'
import { createIdentityVerifier, type IdentityVerifier } from './identity-verifier.js'
import { mintToken } from './mint-token.js'
import { createSigningKeys, type SigningKeys, type SigningKeysOptions } from './signing-keys.js'
import { parseTokenRequest } from './token-request.js'

export interface AuthServiceOptions extends SkeletonOptions, SigningKeysOptions {
  /**
   * The `iss` of every token and the base of the discovery URLs. @default the
   * service's own base URL once it listens (`http://127.0.0.1:4008`; with port
   * 0 the port it got). Needed only for `inject()` use, which never listens.
   */
  readonly issuer?: undefined | string
}

export interface AuthService {
  readonly app: FastifyInstance
  readonly keys: SigningKeys
  /** The issuer URL; throws before the service listens unless `options.issuer` was given. */
  issuer(): string
  /** Checks bearer tokens against this provider's published keys, in-process (for the data services). */
  readonly verifier: IdentityVerifier
}

/**
 * auth (4008): the stand-in for an OpenID Connect provider. Discovery and the
 * JWK set carry the fault hook (so "JWKS endpoint down" can be staged);
 * `/token` is counted but never faulted, so a test can still mint while the
 * keys are "down". No password: whoever asks gets a token for any subject.
 */
export function createAuthService(options: AuthServiceOptions = {}): AuthService {
  const keys = createSigningKeys(options)
  let issuerUrl = options.issuer
  const issuer = (): string => {
    if (issuerUrl !== undefined) return issuerUrl
    if (!app.server.listening) throw new Error('auth service: the issuer is its own URL, known once it listens; pass options.issuer to use it without listening')
    issuerUrl = baseUrlOf(app)
    return issuerUrl
  }

  const app = createServiceApp(
    {
      name: 'auth',
      routes(scope) {
        scope.get('/.well-known/openid-configuration', async () => ({
          issuer: issuer(),
          jwks_uri: `${issuer()}/.well-known/jwks.json`,
          token_endpoint: `${issuer()}/token`,
        }))
        scope.get('/.well-known/jwks.json', async () => ({ keys: keys.published() }))
      },
      unfaultedRoutes(scope) {
        scope.post('/token', async (request, reply) => {
          const answer = await mintToken(parseTokenRequest(request.body), { keys, issuer: issuer() })
          // RFC 6749 §5.1: token responses must not be cached.
          return reply.header('cache-control', 'no-store').send(answer)
        })
      },
      adminRoutes(admin) {
        admin.post('/__admin/rotate-keys', async () => {
          const rotation = keys.rotate()
          return { ...rotation, retiredUntil: new Date(rotation.retiredUntil).toISOString() }
        })
      },
    },
    options,
  )
  return { app, keys, issuer, verifier: createIdentityVerifier({ keys, issuer }) }
}
