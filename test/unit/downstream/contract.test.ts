import { describe, expect, it } from 'vitest'
import { productsBatch } from '../../../src/downstream/dto.js'
import { DownstreamError } from '../../../src/downstream/errors.js'
import { checked } from '../../../src/downstream/contract-check.js'

const product = { id: '7', name: 'Lamp', description: 'Bright', category: 'Home', images: ['https://img/7.jpg'] }

describe('downstream contracts', () => {
  it('passes a body that keeps its contract through as it is, without copying it', () => {
    const body = { products: [product] }
    expect(checked('catalog', productsBatch, body)).toBe(body)
  })

  it.each([
    ['a missing field', { products: [{ ...product, name: undefined }] }, '/products/0/name'],
    ['a wrong type', { products: [{ ...product, images: 'one.jpg' }] }, '/products/0/images'],
    ['an empty id', { products: [{ ...product, id: '' }] }, '/products/0/id'],
    ['no body at all', null, '/'],
  ])('turns %s into DOWNSTREAM_ERROR naming where the body drifted', (_case, body, path) => {
    const error = (() => {
      try {
        return checked('catalog', productsBatch, body)
      } catch (thrown) {
        return thrown
      }
    })()
    expect(error).toBeInstanceOf(DownstreamError)
    expect(error).toMatchObject({ code: 'DOWNSTREAM_ERROR', service: 'catalog', message: 'catalog service answered outside its contract' })
    expect(String((error as DownstreamError).cause)).toContain(path)
  })
})
