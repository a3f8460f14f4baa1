import type { Sampler } from '@opentelemetry/sdk-trace-base'
import type { TracingConfig } from '../config/telemetry.js'
import { createTracing, NO_TRACING, type Tracing } from './tracing.js'

/**
 * Loads the OpenTelemetry trace SDK and an OTLP/HTTP exporter, only when an
 * exporter is configured: without one the BFF never imports them. Spans are
 * batched (OTEL_BSP_* apply) and exported to `settings.url`; the exporter
 * reads OTEL_EXPORTER_OTLP_HEADERS itself.
 */
export async function startTracing(settings: TracingConfig | null): Promise<Tracing> {
  if (settings === null) return NO_TRACING
  const sdk = await import('@opentelemetry/sdk-trace-base')
  const { resourceFromAttributes } = await import('@opentelemetry/resources')
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto')
  const ratio = new sdk.TraceIdRatioBasedSampler(settings.samplerRatio)
  const samplers: Record<TracingConfig['sampler'], Sampler> = {
    always_on: new sdk.AlwaysOnSampler(),
    always_off: new sdk.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: new sdk.ParentBasedSampler({ root: ratio }),
  }
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    sampler: samplers[settings.sampler],
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: settings.url }))],
  })
  return createTracing(provider.getTracer('reactive-bff'), provider)
}
