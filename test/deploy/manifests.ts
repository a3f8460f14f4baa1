import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { z } from 'zod'

const DEPLOY = new URL('../../deploy/', import.meta.url)

/** Every YAML document of a file under deploy/, parsed with the yaml library. */
export function yamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(new URL(path, DEPLOY), 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.map((error) => error.message).join('; ')}`)
    return document.toJS() as unknown
  })
}

const stringMap = z.record(z.string(), z.string())

export const composeFile = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      build: z.object({ context: z.string(), dockerfile: z.string(), target: z.string().optional() }).optional(),
      command: z.array(z.string()).optional(),
      entrypoint: z.unknown().optional(),
      environment: stringMap.optional(),
      ports: z.array(z.string()).optional(),
      volumes: z.array(z.string()).optional(),
      stop_grace_period: z.string().optional(),
      deploy: z.object({ replicas: z.number() }).optional(),
    }),
  ),
})

const httpProbe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) })
const container = z.object({
  name: z.string(),
  image: z.string(),
  command: z.unknown().optional(),
  args: z.unknown().optional(),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })),
  env: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
  envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }).optional(), secretRef: z.object({ name: z.string() }).optional() })),
  readinessProbe: httpProbe,
  livenessProbe: httpProbe,
  startupProbe: httpProbe.optional(),
  resources: z.object({ requests: z.object({ cpu: z.string(), memory: z.string() }), limits: z.object({ memory: z.string() }) }),
})
const labels = z.record(z.string(), z.string())
const metadata = z.object({ name: z.string() })

export const k8sResource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ConfigMap'), metadata, data: stringMap }),
  z.object({ kind: z.literal('Secret'), metadata, stringData: stringMap }),
  z.object({
    kind: z.literal('Deployment'),
    metadata,
    spec: z.object({
      selector: z.object({ matchLabels: labels }),
      template: z.object({
        metadata: z.object({ labels, annotations: z.record(z.string(), z.string()).optional() }),
        spec: z.object({
          terminationGracePeriodSeconds: z.number(),
          securityContext: z.object({ runAsNonRoot: z.literal(true) }),
          containers: z.array(container).length(1),
        }),
      }),
    }),
  }),
  z.object({
    kind: z.literal('Service'),
    metadata,
    spec: z.object({ selector: labels, ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })) }),
  }),
  z.object({
    kind: z.literal('HorizontalPodAutoscaler'),
    metadata,
    spec: z.object({ scaleTargetRef: z.object({ kind: z.string(), name: z.string() }), minReplicas: z.number(), maxReplicas: z.number() }),
  }),
  z.object({ kind: z.literal('PodDisruptionBudget'), metadata, spec: z.object({ selector: z.object({ matchLabels: labels }) }) }),
])
export type K8sResource = z.infer<typeof k8sResource>

export const kustomization = z.object({
  resources: z.array(z.string()),
  images: z.array(z.object({ name: z.string(), newName: z.string(), newTag: z.string() })),
})

/** The lines of deploy/haproxy/haproxy.cfg, comments dropped, each split into words, grouped by section (`backend bff`). */
export function haproxySections(text: string): ReadonlyMap<string, readonly (readonly string[])[]> {
  const sections = new Map<string, string[][]>()
  let current: string[][] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') continue
    const words = line.split(/\s+/)
    if (/^\S/.test(raw)) {
      current = []
      sections.set(words.join(' '), current)
    } else current.push(words)
  }
  return sections
}

/** `30s`, `1m30s` → ms (compose durations). */
export function durationMs(text: string): number {
  let total = 0
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(amount) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']
  return total
}
