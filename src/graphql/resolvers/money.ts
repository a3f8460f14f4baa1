import type { MoneyResolvers } from '../generated.js'

const formatters = new Map<string, Intl.NumberFormat>()

/** Intl formatters are costly to build and immutable: one per currency. */
function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency)
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    formatters.set(currency, formatter)
  }
  return formatter
}

export function formatMoney(amount: number, currency: string): string {
  const formatter = formatterFor(currency)
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2
  return formatter.format(amount / 10 ** digits)
}

export const Money: MoneyResolvers = {
  formatted: (money) => formatMoney(money.amount, money.currency),
}
