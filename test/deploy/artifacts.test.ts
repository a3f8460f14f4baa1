import { existsSync, readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_PORTS } from '../../mocks/start-mocks.js'
import { parseStartMocksConfig } from '../../mocks/start-mocks-config.js'
import { shippedNodeFlags } from '../../scripts/node-flags.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load-config.js'
import { envSchema } from '../../src/config/schema.js'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { shutdownBudgetMs } from '../../src/server.js'
import { only, parseDockerfile, stageNamed } from './dockerfile.js'
import { composeFile, durationMs, haproxySections, k8sResource, kustomization, yamlDocuments, type K8sResource } from './manifests.js'

/** Every variable the BFF reads: the config schema's own keys. */
const SCHEMA_KEYS = new Set(Object.keys(envSchema.shape))
const compose = composeFile.parse(yamlDocuments('compose.yaml')[0])
const kustomize = kustomization.parse(yamlDocuments('k8s/kustomization.yaml')[0])
const resources: K8sResource[] = kustomize.resources.flatMap((file) => yamlDocuments(`k8s/${file}`).map((document) => k8sResource.parse(document)))
const haproxy = haproxySections(readFileSync(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url), 'utf8'))
const runtime = stageNamed(parseDockerfile(readFileSync(new URL('../../deploy/Dockerfile', import.meta.url), 'utf8')), 'runtime')

function ofKind<K extends K8sResource['kind']>(kind: K): Extract<K8sResource, { kind: K }>[] {
  return resources.filter((resource): resource is Extract<K8sResource, { kind: K }> => resource.kind === kind)
}
const deployment = ofKind('Deployment')[0]
const bffContainer = deployment?.spec.template.spec.containers[0]

/** The BFF container's whole environment in Kubernetes: its ConfigMap, Secret and own `env`. */
function k8sEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const source of bffContainer?.envFrom ?? []) {
    const map = source.configMapRef === undefined ? undefined : ofKind('ConfigMap').find((c) => c.metadata.name === source.configMapRef?.name)?.data
    const secret = source.secretRef === undefined ? undefined : ofKind('Secret').find((s) => s.metadata.name === source.secretRef?.name)?.stringData
    if (map === undefined && secret === undefined) throw new Error(`envFrom names a ConfigMap or Secret not in the kustomization: ${JSON.stringify(source)}`)
    Object.assign(env, map, secret)
  }
  for (const { name, value } of bffContainer?.env ?? []) env[name] = value ?? ''
  return env
}

const bffService = compose.services['bff']
const composeEnv = bffService?.environment ?? {}

/** The routes the artifacts probe, answered by a BFF built from the code (not 404). */
let app: FastifyInstance
beforeAll(async () => {
  app = await buildApp(loadConfig({ AUTH_DISABLED: 'true', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' }), { logger: false })
  await app.ready()
})
afterAll(() => app?.close())
const routeExists = async (path: string): Promise<boolean> => (await app.inject({ method: 'GET', url: path })).statusCode !== 404

describe('deployment artifacts match the code', () => {
  it('every BFF variable in compose and the Kubernetes manifests is one the config schema reads, with a valid value', () => {
    for (const env of [composeEnv, k8sEnv()]) {
      expect(Object.keys(env).filter((name) => !SCHEMA_KEYS.has(name))).toEqual([])
      expect(() => loadConfig(env)).not.toThrow()
    }
    expect(Object.keys(k8sEnv())).toEqual(expect.arrayContaining(['REDIS_CLUSTER_NODES', 'REDIS_URL', 'SHUTDOWN_DELAY_MS']))
    // Identity, the edge and observability are configured where they are deployed, not left to defaults.
    for (const env of [composeEnv, k8sEnv()]) expect(Object.keys(env)).toEqual(expect.arrayContaining(['AUTH_JWKS_URL', 'AUTH_ISSUER', 'TRUST_PROXY', 'RATE_LIMIT_INSTANCES_HINT', 'METRICS_ENABLED']))
    const k8s = loadConfig(k8sEnv())
    expect(k8s.auth.disabled).toBe(false)
    expect(k8s.graphql.introspection).toBe(false)
  })

  it('has Prometheus scrape /metrics on the port the BFF listens on', async () => {
    const annotations = deployment?.spec.template.metadata.annotations ?? {}
    expect(annotations['prometheus.io/scrape']).toBe('true')
    expect(await routeExists(annotations['prometheus.io/path'] ?? '')).toBe(true)
    expect(Number(annotations['prometheus.io/port'])).toBe(loadConfig(k8sEnv()).server.port)
  })

  it('runs the image as built: no command overrides, so the CMD and its node flags apply', () => {
    expect(only(runtime, 'CMD').args).toEqual(['node', ...shippedNodeFlags(), 'dist/src/server.js'])
    expect(bffService?.command).toBeUndefined()
    expect(bffService?.entrypoint).toBeUndefined()
    expect(bffContainer?.command).toBeUndefined()
    expect(bffContainer?.args).toBeUndefined()
    expect(bffService?.build?.dockerfile).toBe('deploy/Dockerfile')
    expect(kustomize.images.map((image) => image.name)).toEqual([bffContainer?.image])
  })

  it('ships the Node major that .node-version names (and .ci/run tests)', () => {
    const major = readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim()
    expect(stageNamed(parseDockerfile(readFileSync(new URL('../../deploy/Dockerfile', import.meta.url), 'utf8')), 'build').image).toMatch(new RegExp(`^node:${major}-`))
    expect(runtime.image).toMatch(new RegExp(`^node:${major}-`))
  })

  it('gives the BFF longer to stop than its shutdown sequence can take', () => {
    const composeConfig = loadConfig(composeEnv)
    expect(composeConfig.server.shutdownDelayMs).toBeGreaterThan(0)
    expect(durationMs(bffService?.stop_grace_period ?? '')).toBeGreaterThan(shutdownBudgetMs(composeConfig))
    const k8sConfig = loadConfig(k8sEnv())
    expect(k8sConfig.server.shutdownDelayMs).toBeGreaterThan(0)
    expect((deployment?.spec.template.spec.terminationGracePeriodSeconds ?? 0) * 1_000).toBeGreaterThan(shutdownBudgetMs(k8sConfig))
  })

  it('probes /health/ready for readiness and /health/live for liveness, on the port the BFF listens on', async () => {
    expect(bffContainer?.readinessProbe.httpGet.path).toBe('/health/ready')
    expect(bffContainer?.livenessProbe.httpGet.path).toBe('/health/live')
    const probes = [bffContainer?.readinessProbe, bffContainer?.livenessProbe, bffContainer?.startupProbe]
    for (const probe of probes) expect(await routeExists(probe?.httpGet.path ?? '')).toBe(true)
    const port = bffContainer?.ports.find((candidate) => probes.every((probe) => probe?.httpGet.port === candidate.name))
    expect(port?.containerPort).toBe(loadConfig(k8sEnv()).server.port)
    for (const service of ofKind('Service')) {
      expect(service.spec.ports.map((p) => p.targetPort)).toEqual([port?.name])
      expect(service.spec.selector).toEqual(deployment?.spec.template.metadata.labels)
    }
  })

  it('scales and protects the Deployment it names', () => {
    const [hpa] = ofKind('HorizontalPodAutoscaler')
    expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment?.metadata.name })
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(2)
    const [pdb] = ofKind('PodDisruptionBudget')
    expect(pdb?.spec.selector.matchLabels).toEqual(deployment?.spec.selector.matchLabels)
    expect(deployment?.spec.template.metadata.labels).toMatchObject(deployment?.spec.selector.matchLabels ?? {})
  })

  it('compose: the BFF reaches the mocks on their ports and Redis, which keeps an append-only file and eviction events', () => {
    for (const name of SERVICE_NAMES) expect(composeEnv[`${name.toUpperCase()}_URL`]).toBe(`http://mocks:${DEFAULT_PORTS[name]}`)
    const redisHost = new URL(composeEnv['REDIS_URL'] ?? '').hostname
    const redisCommand = compose.services[redisHost]?.command ?? []
    const setting = (name: string): string | undefined => redisCommand[redisCommand.indexOf(`--${name}`) + 1]
    expect(setting('appendonly')).toBe('yes')
    expect(setting('notify-keyspace-events')).toMatch(/^(?=.*E)(?=.*e)/)
    expect(bffService?.deploy?.replicas).toBeGreaterThanOrEqual(2)
  })

  it('compose: the mocks command is one start-mocks accepts, publishing to the Redis the BFF reads', () => {
    const mocks = compose.services['mocks']
    const [command, entry, ...args] = mocks?.command ?? []
    expect([command, entry]).toEqual(['node', 'dist/mocks/start-mocks.js'])
    const parsed = parseStartMocksConfig(mocks?.environment ?? {}, args)
    expect(parsed).toMatchObject({ ok: true, config: { eventsIntervalMs: expect.any(Number) } })
    expect(parsed.ok && parsed.config.eventsIntervalMs).toBeGreaterThan(0)
    expect(mocks?.environment?.['REDIS_URL']).toBe(composeEnv['REDIS_URL'])
  })

  it('HAProxy: least connections, health checks on /health/ready, on the port the BFF listens on', async () => {
    const backend = haproxy.get('backend bff') ?? []
    const directive = (name: string): readonly string[] | undefined => backend.find((words) => words[0] === name)
    expect(directive('balance')).toEqual(['balance', 'leastconn'])
    const check = backend.find((words) => words[0] === 'option' && words[1] === 'httpchk')
    expect(check?.slice(2)).toEqual(['GET', '/health/ready'])
    expect(await routeExists(check?.[3] ?? '')).toBe(true)
    expect(directive('http-check')).toEqual(['http-check', 'expect', 'status', '200'])
    const template = directive('server-template')
    expect(template?.[3]).toBe(`bff:${loadConfig(composeEnv).server.port}`)
    // Websockets: an upgraded connection lives under `timeout tunnel`, not the request timeouts.
    expect(haproxy.get('defaults')?.some((words) => words[0] === 'timeout' && words[1] === 'tunnel')).toBe(true)
    const lb = compose.services['lb']
    expect(lb?.volumes?.map((volume) => volume.split(':')[0])).toEqual(['./haproxy/haproxy.cfg'])
    expect(existsSync(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url))).toBe(true)
    expect(lb?.ports).toEqual(['4000:4000'])
    expect(lb?.environment?.['LB_BIND']).toBe('*:4000')
  })
})
