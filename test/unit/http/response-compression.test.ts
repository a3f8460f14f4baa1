import { describe, expect, it } from 'vitest'
import { negotiateEncoding } from '../../../src/http/response-compression.js'

describe('negotiateEncoding (Accept-Encoding)', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['deflate', null],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip;q=0.1', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0, br;q=0, *', null],
    ['BR', 'br'],
  ])('%j → %j', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected)
  })
})
