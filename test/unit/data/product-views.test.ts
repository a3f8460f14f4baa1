import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import type { InventoryDto, ProductDto } from '../../../src/downstream/dto.js'
import { productViews, type ProductSources } from '../../../src/data/product-views.js'

const product = (id: string): ProductDto => ({ id, name: `P${id}`, description: '', category: 'c', images: [] })
const stock = (id: string): InventoryDto => ({ productId: id, stock: 3, price: { amount: 100, currency: 'USD' } })

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
}

describe('productViews', () => {
  it('runs catalog and inventory concurrently: done at max(legs), not their sum', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const catalog = cold('---(a|)', { a: [product('1'), null] })
      const inventory = cold('-----(b|)', { b: [stock('1'), null] })
      const sources: ProductSources = { products: () => catalog, inventory: () => inventory }
      expectObservable(productViews(['1', '2'], sources, { withInventory: true })).toBe('-----(v|)', {
        v: [{ ...product('1'), inventory: { ok: true, value: stock('1') } }, null],
      })
      // Both legs are subscribed at frame 0: neither waits for the other.
      expectSubscriptions(catalog.subscriptions).toBe('^--!')
      expectSubscriptions(inventory.subscriptions).toBe('^----!')
    })
  })

  it('keeps catalog data when inventory fails; the failure travels with each product', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const failure = new Error('inventory down')
      const sources: ProductSources = {
        products: () => cold('--(a|)', { a: [product('1')] }),
        inventory: () => cold('-#', undefined, failure),
      }
      expectObservable(productViews(['1'], sources, { withInventory: true })).toBe('--(v|)', {
        v: [{ ...product('1'), inventory: { ok: false, error: failure } }],
      })
    })
  })

  it('fails when the catalog leg fails, and cancels the inventory leg', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const inventory = cold('-----(b|)', { b: [stock('1')] })
      const sources: ProductSources = { products: () => cold('--#'), inventory: () => inventory }
      expectObservable(productViews(['1'], sources, { withInventory: true })).toBe('--#')
      expectSubscriptions(inventory.subscriptions).toBe('^-!')
    })
  })

  it('does not call inventory when price and stock are not selected', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const sources: ProductSources = {
        products: () => cold('-(a|)', { a: [product('1')] }),
        inventory: () => {
          throw new Error('inventory must not be called')
        },
      }
      expectObservable(productViews(['1'], sources, { withInventory: false })).toBe('-(v|)', { v: [product('1')] })
    })
  })
})
