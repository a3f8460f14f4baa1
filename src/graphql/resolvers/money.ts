import type { MoneyResolvers } from '../generated.js'

interface CurrencyFormat {
  readonly format: (value: number) => string
  /** 10^(minor-unit digits): 100 for USD, 1 for JPY. */
  readonly minorUnits: number
  /** Formatted amounts by minor units; cleared when full. */
  readonly recent: Map<number, string>
}

/**
 * Intl's format() costs microseconds per call and a screen shows dozens of
 * prices, mostly the same catalogue prices again and again: remembering the
 * recent ones per currency (16 384 strings, ~1 MB) makes most of them a Map
 * lookup.
 */
const RECENT_PER_CURRENCY = 16_384

const formats = new Map<string, CurrencyFormat>()

/**
 * Intl formatters are costly to build (and resolvedOptions() allocates on
 * every call), yet immutable: one per currency, with its minor units read once.
 */
function formatFor(currency: string): CurrencyFormat {
  let entry = formats.get(currency)
  if (entry === undefined) {
    const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    entry = {
      format: formatter.format,
      minorUnits: 10 ** (formatter.resolvedOptions().maximumFractionDigits ?? 2),
      recent: new Map(),
    }
    formats.set(currency, entry)
  }
  return entry
}

export function formatMoney(amount: number, currency: string): string {
  const { format, minorUnits, recent } = formatFor(currency)
  let text = recent.get(amount)
  if (text === undefined) {
    text = format(amount / minorUnits)
    if (recent.size >= RECENT_PER_CURRENCY) recent.clear()
    recent.set(amount, text)
  }
  return text
}

export const Money: MoneyResolvers = {
  formatted: (money) => formatMoney(money.amount, money.currency),
}
