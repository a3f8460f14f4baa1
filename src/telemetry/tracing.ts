import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import type { SpanAttributes, TraceSpan } from './trace-span.js'

/** The tracer the BFF's layers start spans from; the no-op one when no exporter is configured. */
export interface Tracing {
  readonly enabled: boolean
  /** A server span, continuing the W3C `traceparent` when one came with the request. */
  server(name: string, traceparent: string | undefined, attributes?: undefined | SpanAttributes): TraceSpan
  /** The first span of a new trace (a subscription event's resolution), linked to `linkTo` when given. */
  root(name: string, linkTo: string | undefined, attributes?: undefined | SpanAttributes): TraceSpan
  /** Exports every span ended so far. */
  flush(): Promise<void>
  shutdown(): Promise<void>
}

const propagator = new W3CTraceContextPropagator()
const headerGetter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
}

function remoteContext(traceparent: string | undefined): Context {
  return traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent }, headerGetter)
}

class OtelSpan implements TraceSpan {
  readonly traceId: string
  readonly spanId: string
  readonly traceparent: string
  readonly #tracer: Tracer
  readonly #span: Span

  constructor(tracer: Tracer, span: Span) {
    this.#tracer = tracer
    this.#span = span
    const context = span.spanContext()
    this.traceId = context.traceId
    this.spanId = context.spanId
    this.traceparent = `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`
  }

  child(name: string, kind: 'client' | 'internal', attributes?: undefined | SpanAttributes): TraceSpan {
    const spanKind = kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL
    return new OtelSpan(this.#tracer, this.#tracer.startSpan(name, { kind: spanKind, attributes: attributes ?? {} }, trace.setSpan(ROOT_CONTEXT, this.#span)))
  }

  setAttributes(attributes: SpanAttributes): void {
    this.#span.setAttributes(attributes)
  }

  addEvent(name: string, attributes?: undefined | SpanAttributes): void {
    this.#span.addEvent(name, attributes)
  }

  updateName(name: string): void {
    this.#span.updateName(name)
  }

  end(error?: undefined | string): void {
    if (error !== undefined) this.#span.setStatus({ code: SpanStatusCode.ERROR, message: error })
    this.#span.end()
  }
}

/**
 * Spans over an OpenTelemetry tracer, passed explicitly from layer to layer
 * rather than through async context: graphql-jit and DataLoader batching
 * would lose an AsyncLocalStorage context anyway, and this costs nothing when
 * tracing is off.
 */
export function createTracing(tracer: Tracer, provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> }): Tracing {
  return {
    enabled: true,
    server: (name, traceparent, attributes) =>
      new OtelSpan(tracer, tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: attributes ?? {} }, remoteContext(traceparent))),
    root(name, linkTo, attributes) {
      const linked = linkTo === undefined ? undefined : trace.getSpanContext(remoteContext(linkTo))
      const links = linked === undefined ? [] : [{ context: linked }]
      return new OtelSpan(tracer, tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes: attributes ?? {}, links, root: true }, ROOT_CONTEXT))
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}

const NOOP_SPAN: TraceSpan = Object.freeze({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceparent: '00-00000000000000000000000000000000-0000000000000000-00',
  child: () => NOOP_SPAN,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  updateName: () => undefined,
  end: () => undefined,
})

/** Tracing off: the SDK is never loaded and no span is made. */
export const NO_TRACING: Tracing = Object.freeze({
  enabled: false,
  server: () => NOOP_SPAN,
  root: () => NOOP_SPAN,
  flush: async () => undefined,
  shutdown: async () => undefined,
})
