import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'
import { ANONYMOUS, type Viewer } from '../../../src/identity/viewer.js'
import { canSeeDashboard } from '../../../src/plugins/dashboard-access.js'
import { createOperationNames } from '../../../src/telemetry/operation-names.js'

/** Not about identity: a config needs a provider or an explicit AUTH_DISABLED. */
const NO_AUTH = { AUTH_DISABLED: 'true' } as const

const viewer = (scopes: string[]): Viewer => ({ subject: 'u1', scopes: new Set(scopes), token: 't' })

describe('dashboard access', () => {
  it('is open while identity is off', () => {
    expect(canSeeDashboard(ANONYMOUS, false)).toBe(true)
  })
  it('needs the admin scope when identity is on: with it passes, without it (or anonymous) fails', () => {
    expect(canSeeDashboard(viewer(['admin']), true)).toBe(true)
    expect(canSeeDashboard(viewer(['read', 'orders:write']), true)).toBe(false)
    expect(canSeeDashboard(ANONYMOUS, true)).toBe(false)
  })
})

describe('operation-name labels', () => {
  it('keeps the first N distinct names; the N+1st and later are `other`; a name already admitted stays its own', () => {
    const names = createOperationNames(2)
    expect([names.label('A'), names.label('B'), names.label('C'), names.label('A')]).toEqual(['A', 'B', 'other', 'A'])
    expect(names.label(null)).toBe('anonymous')
    expect(names.size).toBe(2)
  })
  it('never admits an over-long name (a real one fits in 100 characters)', () => {
    const names = createOperationNames(10)
    expect(names.label('x'.repeat(100))).toBe('x'.repeat(100))
    expect(names.label('y'.repeat(101))).toBe('other')
  })
})

describe('telemetry config', () => {
  it('leaves tracing off without an OTLP endpoint, and with one unless disabled', () => {
    expect(loadConfig(NO_AUTH).telemetry.tracing).toBeNull()
    expect(loadConfig({ ...NO_AUTH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }).telemetry.tracing).toMatchObject({
      url: 'http://127.0.0.1:4318/v1/traces',
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
    })
    expect(loadConfig({ ...NO_AUTH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).telemetry.tracing).toBeNull()
    expect(loadConfig({ ...NO_AUTH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).telemetry.tracing).toBeNull()
    expect(loadConfig({ ...NO_AUTH, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' }).telemetry.tracing?.url).toBe('http://c:4318/custom')
  })
  it('refuses an unknown protocol or sampler at boot', () => {
    expect(() => loadConfig({ ...NO_AUTH, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/)
    expect(() => loadConfig({ ...NO_AUTH, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/)
    expect(() => loadConfig({ ...NO_AUTH, METRICS_MAX_OPERATION_NAMES: '10001' })).toThrow(/METRICS_MAX_OPERATION_NAMES/)
    expect(loadConfig({ ...NO_AUTH, METRICS_MAX_OPERATION_NAMES: '10000' }).telemetry.metrics.maxOperationNames).toBe(10_000)
  })
})
