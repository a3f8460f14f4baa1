import { describe, expect, it } from 'vitest'
import { DownstreamError, fromStatus, fromTransportError } from '../../../src/downstream/errors.js'

const withCode = (code: string): Error => Object.assign(new Error('message text is never read'), { code })

describe('fromTransportError', () => {
  it.each([
    ['UND_ERR_HEADERS_TIMEOUT', 'DOWNSTREAM_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'DOWNSTREAM_TIMEOUT'],
    ['ECONNREFUSED', 'DOWNSTREAM_UNAVAILABLE'],
    ['UND_ERR_SOCKET', 'DOWNSTREAM_UNAVAILABLE'],
    ['UND_ERR_CONNECT_TIMEOUT', 'DOWNSTREAM_UNAVAILABLE'],
    ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'DOWNSTREAM_ERROR'],
    ['SOMETHING_ELSE', 'DOWNSTREAM_ERROR'],
  ])('maps undici %s by code to %s', (code, expected) => {
    const error = fromTransportError('catalog', withCode(code))
    expect(error).toBeInstanceOf(DownstreamError)
    expect(error.code).toBe(expected)
    expect(error.service).toBe('catalog')
    expect(error.message).not.toContain('message text')
  })

  it('keeps a DownstreamError as it is', () => {
    const original = new DownstreamError('DOWNSTREAM_TIMEOUT', 'users', 'users timed out')
    expect(fromTransportError('users', original)).toBe(original)
  })
})

describe('fromStatus', () => {
  it.each([
    [404, 'NOT_FOUND'],
    [400, 'BAD_USER_INPUT'],
    [409, 'BAD_USER_INPUT'],
    [502, 'DOWNSTREAM_UNAVAILABLE'],
    [503, 'DOWNSTREAM_UNAVAILABLE'],
    [504, 'DOWNSTREAM_UNAVAILABLE'],
    [500, 'DOWNSTREAM_ERROR'],
    [418, 'DOWNSTREAM_ERROR'],
  ])('%i → %s', (status, code) => {
    const error = fromStatus('orders', status, { message: 'unknown product 9' })
    expect(error.code).toBe(code)
    expect(error.statusCode).toBe(status)
  })

  it('relays a 4xx validation message, cut to a safe length', () => {
    expect(fromStatus('orders', 400, { message: 'unknown product 9' }).message).toBe('orders: unknown product 9')
    expect(fromStatus('orders', 400, { message: 'x'.repeat(5_000) }).message.length).toBeLessThan(300)
  })
})
