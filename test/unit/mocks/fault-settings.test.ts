import { describe, expect, it } from 'vitest'
import { drawLatency, mergeFaults, NO_FAULTS, parseFaultSettings } from '../../../mocks/admin/fault-settings.js'

describe('parseFaultSettings', () => {
  it('accepts any subset of valid knobs', () => {
    expect(parseFaultSettings({})).toEqual({ ok: true, value: {} })
    expect(parseFaultSettings({ latencyMs: [10, 20], errorRate: 0.5, errorStatus: 503, hangRate: 1 })).toEqual({
      ok: true,
      value: { latencyMs: [10, 20], errorRate: 0.5, errorStatus: 503, hangRate: 1 },
    })
    expect(parseFaultSettings({ latencyMs: 0 })).toEqual({ ok: true, value: { latencyMs: 0 } })
  })

  it.each([
    [null, /object/],
    [[1], /object/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ latencyMs: [20, 10] }, /latencyMs/],
    [{ latencyMs: [1, 2, 3] }, /latencyMs/],
    [{ latencyMs: '20' }, /latencyMs/],
    [{ latencyMs: 600_001 }, /latencyMs/],
    [{ errorRate: 1.5 }, /errorRate/],
    [{ hangRate: -0.1 }, /hangRate/],
    [{ errorStatus: 404 }, /errorStatus/],
    [{ latency: 5 }, /unknown fault setting "latency"/],
  ])('rejects %j', (body, message) => {
    const parsed = parseFaultSettings(body)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.message).toMatch(message)
  })
})

describe('mergeFaults', () => {
  it('keeps what the patch leaves out', () => {
    expect(mergeFaults({ ...NO_FAULTS, latencyMs: 80 }, { errorRate: 1 })).toEqual({ latencyMs: 80, errorRate: 1, errorStatus: 500, hangRate: 0 })
  })
})

describe('drawLatency', () => {
  it('is fixed for a number and uniform within [min, max] for a pair', () => {
    expect(drawLatency(30, () => 0.9)).toBe(30)
    expect(drawLatency([10, 20], () => 0)).toBe(10)
    expect(drawLatency([10, 20], () => 0.5)).toBe(15)
    expect(drawLatency([10, 20], () => 0.999_999)).toBeLessThan(20)
  })
})
