import { once } from 'node:events'
import { createServer, type Server } from 'node:http'

/** One span as an OTLP/HTTP JSON export carries it. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  /** 1 internal, 2 server, 3 client, 5 consumer. */
  readonly kind: number
  readonly attributes: Record<string, unknown>
  readonly events: readonly { readonly name: string }[]
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[]
  readonly serviceName: unknown
}

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string
  readonly spans: ReceivedSpan[]
  /** Export requests received (any path). */
  readonly requests: number
  close(): Promise<void>
}

interface AnyValue {
  readonly stringValue?: string
  readonly intValue?: number | string
  readonly boolValue?: boolean
  readonly doubleValue?: number
}
interface KeyValue {
  readonly key: string
  readonly value: AnyValue
}
const valueOf = (v: AnyValue): unknown => v.stringValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.boolValue ?? v.doubleValue
const attrs = (list: readonly KeyValue[] | undefined): Record<string, unknown> => Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]))

/** A real OTLP/HTTP receiver (JSON encoding) on a free port: POST /v1/traces. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  let requests = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests += 1
      if (req.method === 'POST' && req.url === '/v1/traces' && String(req.headers['content-type']).startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[]
        }
        for (const rs of body.resourceSpans ?? []) {
          const serviceName = attrs(rs.resource?.attributes)['service.name']
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) {
              spans.push({
                traceId: span['traceId'] as string,
                spanId: span['spanId'] as string,
                ...(typeof span['parentSpanId'] === 'string' && span['parentSpanId'] !== '' ? { parentSpanId: span['parentSpanId'] } : {}),
                name: span['name'] as string,
                kind: span['kind'] as number,
                attributes: attrs(span['attributes'] as KeyValue[] | undefined),
                events: (span['events'] as { name: string }[] | undefined) ?? [],
                links: (span['links'] as { traceId: string; spanId: string }[] | undefined) ?? [],
                serviceName,
              })
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return requests
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
