import { z } from 'zod'
import { bool, int } from './env-fields.js'

// gRPC is not offered: its exporter brings @grpc/grpc-js for what an OTLP/HTTP collector port does as well.
const otlpProtocol = z.enum(['http/protobuf', 'http/json'])
const samplers = z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])

/**
 * Metrics, the dashboard, and tracing. Tracing reads only the OpenTelemetry
 * SDK's standard variables (declared here so a bad value fails boot like any
 * other; the exporter reads endpoint and headers itself).
 */
export const telemetryVars = {
  /** GET /metrics in the Prometheus text format, and the counters it reads. */
  METRICS_ENABLED: bool.default(true),
  /** Distinct client operation names given their own label value; later ones are counted as `other`. */
  METRICS_MAX_OPERATION_NAMES: int(0, 10_000).default(100),
  /** GET /dashboard: live upstream health of this instance. */
  DASHBOARD_ENABLED: bool.default(true),
  /** The instance's name on the dashboard. @default hostname:pid */
  INSTANCE_NAME: z.string().min(1).max(200).optional(),
  OTEL_SDK_DISABLED: bool.default(false),
  OTEL_TRACES_EXPORTER: z.string().max(200).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).optional(),
  OTEL_TRACES_SAMPLER: samplers.default('parentbased_always_on'),
  /** The ratio of the *traceidratio samplers. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
}

export interface TracingConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  readonly url: string
  readonly protocol: z.output<typeof otlpProtocol>
  readonly serviceName: string
  readonly sampler: z.output<typeof samplers>
  readonly samplerRatio: number
}

export interface TelemetryConfig {
  readonly metrics: { readonly enabled: boolean; readonly maxOperationNames: number }
  readonly dashboard: { readonly enabled: boolean; readonly instanceName: string | null }
  /**
   * Null when no exporter is configured (no endpoint, OTEL_SDK_DISABLED, or
   * OTEL_TRACES_EXPORTER=none): the SDK is then never loaded.
   */
  readonly tracing: TracingConfig | null
}

export function telemetryConfig(e: z.output<z.ZodObject<typeof telemetryVars>>): TelemetryConfig {
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`)
  const exporters = (e.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((name) => name.trim())
  const on = endpoint !== undefined && !e.OTEL_SDK_DISABLED && exporters.includes('otlp')
  return {
    metrics: { enabled: e.METRICS_ENABLED, maxOperationNames: e.METRICS_MAX_OPERATION_NAMES },
    dashboard: { enabled: e.DASHBOARD_ENABLED, instanceName: e.INSTANCE_NAME ?? null },
    tracing: on
      ? {
          url: endpoint,
          sampler: e.OTEL_TRACES_SAMPLER,
          samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
          protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
          serviceName: e.OTEL_SERVICE_NAME ?? 'reactive-bff',
        }
      : null,
  }
}
