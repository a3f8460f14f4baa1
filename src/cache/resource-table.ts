/**
 * What the entity cache is handed to know what it caches: a table of
 * resources (the data layer's is `data/resources.ts`) and how to tell and
 * make the errors of the fetches it runs for them. The cache itself knows
 * nothing of the services or their error types.
 */

/** Checks a value read back from the store; a downstream contract is one. */
export interface ValueCheck<T> {
  is(value: unknown): value is T
}

/**
 * - `entity`: read by id in batches, shared by every user (a PRIVATE policy
 *   disables caching it: an id alone names no owner to key by); the only kind
 *   the in-process L1 holds.
 * - `list`: one entry per id (e.g. a product's reviews), one member per page variant.
 * - `owned`: keyed by the user the data belongs to; only ever read for that user.
 */
export type ResourceKind = 'entity' | 'list' | 'owned'

/**
 * One kind of cached answer. What is cached, and how it is keyed, is decided
 * here; how long, and for whom, comes from the SDL (`coordinates`).
 * The callbacks are methods so that a table of differently typed resources is
 * one `ResourceTable`.
 */
export interface ResourceDef<T> {
  /** Key segment; with `name`, the counter label (`catalog:product`). */
  readonly service: string
  readonly name: string
  readonly kind: ResourceKind
  /** Schema coordinates whose @cacheControl give the TTL and scope (shortest maxAge wins). */
  readonly coordinates: readonly string[]
  /** Validates values read back from the store. */
  readonly schema: ValueCheck<T>
  /**
   * For owned values: the user ids the value itself says it belongs to. A value
   * naming anyone but the owner it was read for is never served (defence in
   * depth on top of the key).
   */
  ownersOf?(value: T): readonly string[]
  /**
   * Ids of the items inside a value, indexed to the value's owner beside it, so
   * a change that names only item ids can find whose entries to drop, on any instance.
   */
  indexes?(value: T): readonly string[]
  /**
   * Every change to it arrives as a domain event that invalidates it
   * (data/invalidation.ts), so where those events reach the cache it may be
   * held past its maxAge (`PolicyDefaults.eventInvalidatedMaxAgeS`): its
   * maxAge then bounds what clients keep, not what the cache does.
   */
  readonly invalidatedByEvents?: undefined | boolean
}

export type ResourceTable = { readonly [name: string]: ResourceDef<unknown> }

/** The value type resource `R` of `Table` caches. */
export type ValueOf<Table extends ResourceTable, R extends keyof Table> = Table[R] extends ResourceDef<infer T> ? T : never

/** The names of `Table`'s resources of kind `K`. */
export type NamesOfKind<Table extends ResourceTable, K extends ResourceKind> = {
  [R in keyof Table & string]: Table[R]['kind'] extends K ? R : never
}[keyof Table & string]

/** Label used in counters, logs and docs: `<service>:<name>`. */
export const labelOf = (def: Pick<ResourceDef<unknown>, 'service' | 'name'>): string => `${def.service}:${def.name}`

/** A resource whose entries to drop: for owned and list resources, every variant of `id`. */
export interface InvalidationTarget<Name extends string = string> {
  readonly resource: Name
  /** Entity id, list id, or owner (user) id, by the resource's kind. */
  readonly id: string
}

/** How the cache tells apart, and makes, the errors of the fetches it runs. */
export interface FetchFailures {
  /** The fetch answered "no such thing": cached briefly as a negative entry. */
  isNotFound(error: unknown): boolean
  /** A failure a stale-if-error entry may stand in for (an outage, not "your input is wrong"). */
  servesStale(error: unknown): boolean
  /** Thrown for a cached "not found" of `service`'s resource. */
  notFound(service: string): Error
  /** Thrown to a reader whose request went away while it waited for a shared fetch. */
  aborted(service: string): Error
}
