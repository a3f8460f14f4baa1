import { describe, expect, it } from 'vitest'
import { createDropLedger } from '../../../src/cache/drop-ledger.js'

describe('drop ledger', () => {
  it('refuses a reader only for the keys dropped after its mark', () => {
    const drops = createDropLedger(10)
    const before = drops.mark()
    expect(drops.droppedSince(before, ['a'])).toBe(false)
    drops.dropped(['a'])
    expect(drops.droppedSince(before, ['a'])).toBe(true)
    expect(drops.droppedSince(before, ['b', 'c'])).toBe(false)
    expect(drops.droppedSince(before, ['b', 'a'])).toBe(true)
    // Marked after the drop: it read the new value.
    expect(drops.droppedSince(drops.mark(), ['a'])).toBe(false)
  })

  it('refuses every reader marked before a reset, whatever it read', () => {
    const drops = createDropLedger(10)
    const before = drops.mark()
    drops.reset()
    expect(drops.droppedSince(before, [])).toBe(true)
    expect(drops.droppedSince(drops.mark(), ['a'])).toBe(false)
  })

  it('past its bound, refuses readers older than the oldest forgotten record', () => {
    const drops = createDropLedger(2)
    const first = drops.mark()
    drops.dropped(['a'])
    const second = drops.mark()
    drops.dropped(['b'])
    drops.dropped(['c'])
    // 'a' is forgotten: a reader marked before it can no longer be told apart.
    expect(drops.droppedSince(first, ['z'])).toBe(true)
    expect(drops.droppedSince(second, ['z'])).toBe(false)
    expect(drops.droppedSince(second, ['b'])).toBe(true)
    expect(() => createDropLedger(0)).toThrow(/remembered must be a positive integer/)
  })
})
