import fc from 'fast-check'

/**
 * A stream of choices that a builder reads to make one input. fast-check
 * generates and shrinks the numbers; the builder turns them into a document.
 * Once the stream is spent every choice is 0, and 0 always means the simplest
 * option (the first field, no alias, a valid literal), so shorter streams and
 * smaller numbers, which is where shrinking goes, give smaller, plainer inputs.
 */
export class Choices {
  readonly #values: readonly number[]
  #at = 0

  constructor(values: readonly number[]) {
    this.#values = values
  }

  /** 0..count-1. */
  pick(count: number): number {
    if (count <= 1) return 0
    const value = this.#values[this.#at]
    if (value === undefined) return 0
    this.#at += 1
    return value % count
  }

  /** True with about `percent` % probability; false once the stream is spent. */
  chance(percent: number): boolean {
    return this.pick(100) >= 100 - percent
  }

  /** One of `items`, the first being the simplest. */
  oneOf<T>(items: readonly [T, ...T[]]): T {
    return items[this.pick(items.length)] ?? items[0]
  }
}

/** The numbers behind a Choices; `maxLength` bounds how much one input can hold. */
export function choiceValues(maxLength = 400): fc.Arbitrary<number[]> {
  return fc.array(fc.noBias(fc.nat({ max: 0xffff })), { maxLength, size: 'max' })
}
