import { describe, expect, it } from 'vitest'
import { formatMoney } from '../../../src/graphql/resolvers/money.js'

describe('formatMoney', () => {
  it('formats minor units with the currency’s own digits', () => {
    expect(formatMoney(123_456, 'USD')).toBe('$1,234.56')
    expect(formatMoney(1_234, 'JPY')).toBe('¥1,234')
    expect(formatMoney(5, 'EUR')).toBe('€0.05')
  })

  it('answers the same text for a remembered amount, past the memo’s bound too', () => {
    const first = formatMoney(999, 'USD')
    for (let amount = 0; amount < 40_000; amount += 1) formatMoney(amount, 'USD')
    expect(formatMoney(999, 'USD')).toBe(first)
    expect(formatMoney(9_999, 'USD')).toBe('$99.99')
  })
})
