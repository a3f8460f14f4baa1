import { catchError, forkJoin, map, of, type Observable } from 'rxjs'
import type { InventoryDto, ProductDto } from '../downstream/dto.js'

/** What we know of a product's inventory when the view was built. */
export type InventoryOutcome =
  | { readonly ok: true; readonly value: InventoryDto | null }
  | { readonly ok: false; readonly error: unknown }

/**
 * A catalog product plus, when it was asked for, its inventory outcome. The
 * inventory leg failing does not fail the view: the product keeps its catalog
 * fields and only price/stock resolve to the error.
 */
export interface ProductView extends ProductDto {
  readonly inventory?: undefined | InventoryOutcome
}

/**
 * A product with its inventory outcome. A class with the DTO's fields copied
 * one by one, not `{ ...product, inventory }`: cached DTOs are frozen, and
 * spreading a frozen object takes V8's slow path, an order of magnitude
 * dearer, once per product on every screen.
 */
class PricedProduct implements ProductView {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly category: string
  readonly images: ProductDto['images']
  readonly inventory: InventoryOutcome
  constructor(product: ProductDto, inventory: InventoryOutcome) {
    this.id = product.id
    this.name = product.name
    this.description = product.description
    this.category = product.category
    this.images = product.images
    this.inventory = inventory
  }
}

/** `product` as a view carrying `inventory`. */
export const pricedView = (product: ProductDto, inventory: InventoryOutcome): ProductView => new PricedProduct(product, inventory)

/** Where product data comes from; injected so this stays pure and testable in virtual time. */
export interface ProductSources {
  /** Catalog entries in the order of `ids`; null for unknown ids. */
  products(ids: readonly string[]): Observable<readonly (ProductDto | null)[]>
  /** Inventory entries in the order of `ids`; null for unknown ids. */
  inventory(ids: readonly string[]): Observable<readonly (InventoryDto | null)[]>
}

export interface ProductViewsOptions {
  /** Fetch inventory alongside the catalog (the query selects price or stock). */
  readonly withInventory: boolean
}

/**
 * Catalog and inventory legs run concurrently, so a list of priced products
 * costs max(catalog, inventory), not their sum. Emits once, in the order of
 * `ids`; errors only when the catalog leg fails (without it there is nothing
 * to show).
 */
export function productViews(
  ids: readonly string[],
  sources: ProductSources,
  options: ProductViewsOptions,
): Observable<readonly (ProductView | null)[]> {
  if (ids.length === 0) return of([])
  const inventory$: Observable<readonly InventoryOutcome[] | null> = options.withInventory
    ? sources.inventory(ids).pipe(
        map((entries) => entries.map((value): InventoryOutcome => ({ ok: true, value }))),
        catchError((error: unknown) => of(ids.map((): InventoryOutcome => ({ ok: false, error })))),
      )
    : of(null)
  return forkJoin([sources.products(ids), inventory$]).pipe(
    map(([products, outcomes]) =>
      products.map((product, index) => {
        if (product === null) return null
        const outcome = outcomes?.[index]
        return outcome === undefined ? product : pricedView(product, outcome)
      }),
    ),
  )
}
