import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type FieldDefinitionNode,
  type TypeNode,
} from 'graphql'
import { BffError } from '../errors.js'

export type CacheScope = 'PUBLIC' | 'PRIVATE'

/** An `@cacheControl(maxAge, scope)` as written on a type or field. */
export interface CacheHint {
  readonly maxAgeS?: undefined | number
  readonly scope?: undefined | CacheScope
  /** Apollo's `inheritMaxAge: true`: a field returning an object takes its parent's maxAge, not its type's. */
  readonly inheritMaxAge?: undefined | boolean
}

/** What the SDL says about caching, by schema coordinate (`Product`, `Product.price`). */
export interface SchemaCacheHints {
  /** The hint a value at `coordinate` gets, following the Apollo rules (see `hintAt`). */
  hintAt(coordinate: string): CacheHint
  /** The hint written on a field itself (`Product.price`), overrides applied; undefined when none. */
  fieldHint(coordinate: string): CacheHint | undefined
  /** The hint written on a type (`Product`), overrides applied; undefined when none. */
  typeHint(name: string): CacheHint | undefined
}

interface FieldInfo {
  readonly hint: CacheHint | undefined
  /** Named type the field returns, lists and non-null unwrapped. */
  readonly returns: string
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type)
}

function hintOf(directives: readonly ConstDirectiveNode[] | undefined): CacheHint | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl')
  if (directive === undefined) return undefined
  let maxAgeS: number | undefined
  let scope: CacheScope | undefined
  let inheritMaxAge: boolean | undefined
  for (const arg of directive.arguments ?? []) {
    if (arg.name.value === 'inheritMaxAge' && arg.value.kind === Kind.BOOLEAN) inheritMaxAge = arg.value.value
    if (arg.name.value === 'maxAge' && arg.value.kind === Kind.INT) maxAgeS = Number(arg.value.value)
    if (arg.name.value === 'scope' && arg.value.kind === Kind.ENUM && (arg.value.value === 'PUBLIC' || arg.value.value === 'PRIVATE')) {
      scope = arg.value.value
    }
  }
  return inheritMaxAge === undefined ? { maxAgeS, scope } : { maxAgeS, scope, inheritMaxAge }
}

/**
 * Reads every `@cacheControl` in the SDL, with `overridesS` (config) replacing
 * the maxAge written on a type or field. `hintAt` resolves a coordinate the
 * way Apollo's cache-control plugin does: a field's own hint wins; otherwise a
 * field returning an object takes that type's hint, and a scalar or enum
 * field inherits its parent type's hint. A coordinate with no hint gets none
 * (the caller's default applies, 0 = not cached). Throws
 * BFF_ERR_CONFIG_INVALID when an override names no type or field.
 */
export function readCacheHints(sdl: string, overridesS: Readonly<Record<string, number>> = {}): SchemaCacheHints {
  const types = new Map<string, CacheHint | undefined>()
  const fields = new Map<string, FieldInfo>()
  const composite = new Set<string>()
  for (const definition of parse(sdl).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
    ) {
      if (definition.kind === Kind.UNION_TYPE_DEFINITION) {
        composite.add(definition.name.value)
        types.set(definition.name.value, hintOf(definition.directives))
      }
      continue
    }
    const typeName = definition.name.value
    composite.add(typeName)
    types.set(typeName, types.get(typeName) ?? hintOf(definition.directives))
    for (const field of definition.fields ?? ([] as readonly FieldDefinitionNode[])) {
      fields.set(`${typeName}.${field.name.value}`, { hint: hintOf(field.directives), returns: namedType(field.type) })
    }
  }

  const unknown = Object.keys(overridesS).filter((coordinate) => !types.has(coordinate) && !fields.has(coordinate))
  if (unknown.length > 0) {
    throw new BffError('BFF_ERR_CONFIG_INVALID', `CACHE_TTL_OVERRIDES: no such type or field in the schema: ${unknown.join(', ')}`)
  }
  for (const [coordinate, maxAgeS] of Object.entries(overridesS)) {
    const field = fields.get(coordinate)
    if (field !== undefined) fields.set(coordinate, { ...field, hint: { ...field.hint, maxAgeS } })
    else types.set(coordinate, { ...types.get(coordinate), maxAgeS })
  }

  const hintAt = (coordinate: string): CacheHint => {
    const field = fields.get(coordinate)
    if (field === undefined) return types.get(coordinate) ?? {}
    const own = field.hint ?? {}
    const inherited = composite.has(field.returns)
      ? (types.get(field.returns) ?? {})
      : (types.get(coordinate.slice(0, coordinate.indexOf('.'))) ?? {})
    return { maxAgeS: own.maxAgeS ?? inherited.maxAgeS, scope: own.scope ?? inherited.scope }
  }

  return { hintAt, fieldHint: (coordinate) => fields.get(coordinate)?.hint, typeHint: (name) => types.get(name) }
}

/** How long an entry is fresh, served stale, and kept. All in ms. */
export interface CachePolicy {
  readonly scope: CacheScope
  /** Fresh for this long (the SDL maxAge); 0 = not cached. */
  readonly maxAgeMs: number
  /** Past maxAge, served while one background refresh runs (RFC 5861 stale-while-revalidate). */
  readonly staleWhileRevalidateMs: number
  /** Past maxAge, served only when the downstream fails (RFC 5861 stale-if-error). */
  readonly staleIfErrorMs: number
  /** "Not found" answers are cached this long. */
  readonly negativeTtlMs: number
  /**
   * Each write's fresh period is cut by a random share of maxAge up to this
   * fraction (0..0.5), so entries written together (a burst, a deploy, a cold
   * start) go stale over a spread of time, not in one second that refreshes
   * them all at once.
   */
  readonly freshJitter: number
}

export interface PolicyDefaults {
  /** maxAge for coordinates without a hint (s). */
  readonly defaultMaxAgeS: number
  readonly staleWhileRevalidateS: number
  readonly staleIfErrorS: number
  readonly negativeTtlS: number
  /** Up to this % of maxAge is cut from each write's fresh period, at random (see `CachePolicy.freshJitter`). */
  readonly ttlJitterPercent: number
  /**
   * Fresh period (s) of resources invalidated by events, when longer than
   * their maxAge; 0 keeps their maxAge. @default 0
   */
  readonly eventInvalidatedMaxAgeS?: undefined | number
}

/**
 * The policy of a cached resource that backs several schema coordinates (the
 * inventory entry backs Product.price and Product.stock): the shortest maxAge
 * wins, and PRIVATE wins over PUBLIC.
 */
export function policyFor(
  hints: SchemaCacheHints,
  coordinates: readonly string[],
  defaults: PolicyDefaults,
  invalidatedByEvents = false,
): CachePolicy {
  let maxAgeS = Number.POSITIVE_INFINITY
  let scope: CacheScope = 'PUBLIC'
  for (const coordinate of coordinates) {
    const hint = hints.hintAt(coordinate)
    const age = hint.maxAgeS ?? defaults.defaultMaxAgeS
    maxAgeS = Math.min(maxAgeS, age)
    if (hint.scope === 'PRIVATE') scope = 'PRIVATE'
  }
  let seconds = Number.isFinite(maxAgeS) ? maxAgeS : defaults.defaultMaxAgeS
  // Only what the schema lets us cache at all; a change reaches it as an event, not at expiry.
  if (invalidatedByEvents && seconds > 0) seconds = Math.max(seconds, defaults.eventInvalidatedMaxAgeS ?? 0)
  return {
    scope,
    maxAgeMs: seconds * 1_000,
    staleWhileRevalidateMs: defaults.staleWhileRevalidateS * 1_000,
    staleIfErrorMs: defaults.staleIfErrorS * 1_000,
    negativeTtlMs: defaults.negativeTtlS * 1_000,
    freshJitter: defaults.ttlJitterPercent / 100,
  }
}
