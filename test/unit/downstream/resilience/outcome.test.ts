import { describe, expect, it } from 'vitest'
import { DownstreamError, fromStatus, fromTransportError } from '../../../../src/downstream/errors.js'
import { failureOutcome, isRetryable } from '../../../../src/downstream/resilience/outcome.js'

const status = (code: number) => fromStatus('users', code, null)
const transport = (code: string) => fromTransportError('users', Object.assign(new Error(code), { code }))
const timeout = new DownstreamError('DOWNSTREAM_TIMEOUT', 'users', 'slow')

describe('failureOutcome', () => {
  it.each([
    ['503', status(503), 'failure'],
    ['500', status(500), 'failure'],
    ['404', status(404), 'success'],
    ['400', status(400), 'success'],
    ['429', status(429), 'success'],
    ['connection refused', transport('ECONNREFUSED'), 'failure'],
    ['socket closed', transport('UND_ERR_SOCKET'), 'failure'],
    ['attempt timeout', timeout, 'failure'],
    ['bulkhead rejection', new DownstreamError('DOWNSTREAM_OVERLOADED', 'users', 'full'), 'ignore'],
    ['client abort', new DownstreamError('REQUEST_ABORTED', 'users', 'gone'), 'ignore'],
  ] as const)('%s counts as %s', (_name, error, expected) => {
    expect(failureOutcome({ error, sent: true, deadlineCut: false })).toBe(expected)
  })

  it('ignores a timeout cut short by the request deadline', () => {
    expect(failureOutcome({ error: timeout, sent: true, deadlineCut: true })).toBe('ignore')
  })

  it('ignores anything that never reached the service', () => {
    expect(failureOutcome({ error: status(503), sent: false, deadlineCut: false })).toBe('ignore')
  })
})

describe('isRetryable', () => {
  it.each([
    ['502', status(502), true],
    ['503', status(503), true],
    ['504', status(504), true],
    ['connection reset', transport('ECONNRESET'), true],
    ['attempt timeout', timeout, true],
    ['500', status(500), false],
    ['404', status(404), false],
    ['409', status(409), false],
    ['open circuit', new DownstreamError('DOWNSTREAM_CIRCUIT_OPEN', 'users', 'open'), false],
    ['bulkhead rejection', new DownstreamError('DOWNSTREAM_OVERLOADED', 'users', 'full'), false],
    ['not a DownstreamError', new Error('x'), false],
  ] as const)('%s → %s', (_name, error, expected) => {
    expect(isRetryable({ error, deadlineCut: false })).toBe(expected)
  })

  it('does not retry a timeout cut short by the request deadline', () => {
    expect(isRetryable({ error: timeout, deadlineCut: true })).toBe(false)
  })
})
