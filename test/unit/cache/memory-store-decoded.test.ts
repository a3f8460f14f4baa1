import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/cache/memory-store.js'

describe('memory store: decoded reads', () => {
  it('decodes a written value once and hands every reader the same deep-frozen result', async () => {
    const store = createMemoryStore()
    await store.setMany([{ address: { key: 'k' }, value: '{"a":{"b":[1]}}', ttlMs: 60_000 }])
    let decodes = 0
    const decode = (raw: string): unknown => {
      decodes += 1
      return JSON.parse(raw) as unknown
    }
    const [first] = await store.getDecoded!([{ key: 'k' }, { key: 'missing' }], decode)
    const [second, missing] = await store.getDecoded!([{ key: 'k' }, { key: 'missing' }], decode)
    expect(decodes).toBe(1)
    expect(second).toBe(first)
    expect(missing).toBeNull()
    expect(Object.isFrozen((first as { a: { b: number[] } }).a.b)).toBe(true)
    // The raw value is still what getMany answers.
    expect(await store.getMany([{ key: 'k' }])).toEqual(['{"a":{"b":[1]}}'])
  })

  it('decodes again after a rewrite, for group members too, and with another decoder', async () => {
    const store = createMemoryStore()
    const decode = (raw: string): unknown => JSON.parse(raw) as unknown
    await store.setMany([{ address: { key: 'g', member: 'm' }, value: '1', ttlMs: 60_000 }])
    expect(await store.getDecoded!([{ key: 'g', member: 'm' }, { key: 'g', member: 'other' }], decode)).toEqual([1, null])
    await store.setMany([{ address: { key: 'g', member: 'm' }, value: '2', ttlMs: 60_000 }])
    expect(await store.getDecoded!([{ key: 'g', member: 'm' }], decode)).toEqual([2])
    expect(await store.getDecoded!([{ key: 'g', member: 'm' }], (raw) => `seen ${raw}`)).toEqual(['seen 2'])
    await store.invalidate(['g'])
    expect(await store.getDecoded!([{ key: 'g', member: 'm' }], decode)).toEqual([null])
  })

  it('tells onWrite what each key or group member held before the write (null: nothing)', async () => {
    const seen: [string, string | null, string][] = []
    const store = createMemoryStore({ onWrite: (key, before, after) => seen.push([key, before, after]) })
    await store.setMany([{ address: { key: 'k' }, value: '1', ttlMs: 60_000 }])
    await store.setMany([{ address: { key: 'k' }, value: '2', ttlMs: 60_000 }])
    await store.setMany([{ address: { key: 'g', member: 'm' }, value: 'a', ttlMs: 60_000 }])
    await store.setMany([{ address: { key: 'g', member: 'n' }, value: 'b', ttlMs: 60_000 }])
    await store.setMany([{ address: { key: 'g', member: 'm' }, value: 'c', ttlMs: 60_000 }])
    await store.invalidate(['k'])
    await store.setMany([{ address: { key: 'k' }, value: '3', ttlMs: 60_000 }])
    expect(seen).toEqual([
      ['k', null, '1'],
      ['k', '1', '2'],
      ['g', null, 'a'],
      ['g', null, 'b'],
      ['g', 'a', 'c'],
      ['k', null, '3'],
    ])
  })
})
