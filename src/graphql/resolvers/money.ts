import type { MoneyResolvers } from '../generated.js'

interface CurrencyFormat {
  readonly format: (value: number) => string
  /** 10^(minor-unit digits): 100 for USD, 1 for JPY. */
  readonly minorUnits: number
}

const formats = new Map<string, CurrencyFormat>()

/**
 * Intl formatters are costly to build (and resolvedOptions() allocates on
 * every call), yet immutable: one per currency, with its minor units read once.
 */
function formatFor(currency: string): CurrencyFormat {
  let entry = formats.get(currency)
  if (entry === undefined) {
    const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    entry = { format: formatter.format, minorUnits: 10 ** (formatter.resolvedOptions().maximumFractionDigits ?? 2) }
    formats.set(currency, entry)
  }
  return entry
}

export function formatMoney(amount: number, currency: string): string {
  const { format, minorUnits } = formatFor(currency)
  return format(amount / minorUnits)
}

export const Money: MoneyResolvers = {
  formatted: (money) => formatMoney(money.amount, money.currency),
}
