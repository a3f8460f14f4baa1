import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load-config.js'

describe('subscriptions config', () => {
  it('has safe defaults with units', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).subscriptions).toEqual({
      eventLog: { streamKey: 'reactive-bff:events', maxLen: 100_000 },
      maxConnections: 20_000,
      maxPerConnection: 25,
      bufferEvents: 1_000,
      initTimeoutMs: 3_000,
      keepAliveMs: 12_000,
      maxPayloadBytes: 1_048_576,
      drainTimeoutMs: 5_000,
    })
  })

  it('reads overrides and names a bad variable', () => {
    const config = loadConfig({ AUTH_DISABLED: 'true', SUBSCRIPTION_KEEP_ALIVE_MS: '0', SUBSCRIPTION_BUFFER_EVENTS: '10', EVENT_LOG_STREAM_KEY: 'k' })
    expect(config.subscriptions).toMatchObject({ keepAliveMs: 0, bufferEvents: 10, eventLog: { streamKey: 'k' } })
    expect(() => loadConfig({ AUTH_DISABLED: 'true', SUBSCRIPTION_MAX_CONNECTIONS: '0' })).toThrow(/SUBSCRIPTION_MAX_CONNECTIONS/)
    expect(() => loadConfig({ AUTH_DISABLED: 'true', SUBSCRIPTION_MAX_PAYLOAD_BYTES: 'lots' })).toThrow(/SUBSCRIPTION_MAX_PAYLOAD_BYTES/)
  })
})
