import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, pageByOffset, pageNewestFirst } from '../../../mocks/world/paging.js'

describe('cursors', () => {
  it('round-trip and are opaque base64url', () => {
    const cursor = encodeCursor('orders', 7_632)
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor('orders', cursor)).toBe(7_632)
  })

  it.each(['', 'not a cursor', '!!!', Buffer.from('orders:-1').toString('base64url'), Buffer.from('orders:1x').toString('base64url')])(
    'rejects %j',
    (cursor) => {
      expect(decodeCursor('orders', cursor)).toBeNull()
    },
  )

  it('rejects a cursor of another kind', () => {
    expect(decodeCursor('reviews', encodeCursor('search', 3))).toBeNull()
  })
})

describe('pageByOffset', () => {
  const list = ['a', 'b', 'c', 'd', 'e']

  it('pages from the start and after an offset', () => {
    expect(pageByOffset(list, 2, -1)).toEqual({ items: ['a', 'b'], hasNextPage: true })
    expect(pageByOffset(list, 2, 1)).toEqual({ items: ['c', 'd'], hasNextPage: true })
    expect(pageByOffset(list, 2, 3)).toEqual({ items: ['e'], hasNextPage: false })
    expect(pageByOffset(list, 5, -1)).toEqual({ items: list, hasNextPage: false })
    expect(pageByOffset(list, 2, 10)).toEqual({ items: [], hasNextPage: false })
  })
})

describe('pageNewestFirst', () => {
  const list = ['2', '5', '9', '14', '20'].map((id) => ({ id }))
  const ids = (page: { items: readonly { id: string }[] }): string[] => page.items.map((x) => x.id)

  it('starts at the newest and walks down by id', () => {
    const first = pageNewestFirst(list, 2)
    expect(ids(first)).toEqual(['20', '14'])
    expect(first.hasNextPage).toBe(true)
    const second = pageNewestFirst(list, 2, 14)
    expect(ids(second)).toEqual(['9', '5'])
    expect(second.hasNextPage).toBe(true)
    const last = pageNewestFirst(list, 2, 5)
    expect(ids(last)).toEqual(['2'])
    expect(last.hasNextPage).toBe(false)
  })

  it('is not shifted by records added after the first page', () => {
    const grown = [...list, { id: '21' }]
    expect(ids(pageNewestFirst(grown, 2, 14))).toEqual(['9', '5'])
  })

  it('accepts a cursor id that is not in the list', () => {
    expect(ids(pageNewestFirst(list, 3, 10))).toEqual(['9', '5', '2'])
    expect(pageNewestFirst(list, 3, 1)).toEqual({ items: [], hasNextPage: false })
  })
})
