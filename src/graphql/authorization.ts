import {
  defaultFieldResolver,
  getDirectiveValues,
  getNamedType,
  isObjectType,
  type GraphQLDirective,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql'
import { ClientError } from '../errors.js'
import { ANONYMOUS, type Viewer } from '../identity/viewer.js'

/** The scope that may act for any user (the services apply the same rule). */
export const ADMIN_SCOPE = 'admin'

/** A check before a field runs: throws UNAUTHENTICATED or FORBIDDEN. */
type BeforeCheck = (viewer: Viewer, parent: unknown, args: Readonly<Record<string, unknown>>) => void
/** A check of what the field returned (each item of a list). */
type AfterCheck = (viewer: Viewer, value: unknown) => void

interface FieldRules {
  readonly before: readonly BeforeCheck[]
  readonly after: AfterCheck | null
}

const unauthenticated = (): ClientError => new ClientError('UNAUTHENTICATED', 'Sign in to see this: it needs a valid bearer token.')
const forbidden = (): ClientError => new ClientError('FORBIDDEN', `This belongs to another user: it needs the owner's token or scope ${ADMIN_SCOPE}.`)

const requireSignedIn: BeforeCheck = (viewer) => {
  if (viewer.subject === null) throw unauthenticated()
}

function requireOwner(viewer: Viewer, owner: unknown): void {
  if (viewer.subject === null) throw unauthenticated()
  if (viewer.scopes.has(ADMIN_SCOPE)) return
  // Fails closed: an owner that cannot be read is nobody's.
  if (typeof owner !== 'string' || owner !== viewer.subject) throw forbidden()
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

/** `@requiresScopes(scopes: [["a", "b"], ["c"]])`: (a AND b) OR c. */
function scopesCheck(alternatives: readonly (readonly string[])[]): BeforeCheck {
  return (viewer) => {
    if (viewer.subject === null) throw unauthenticated()
    if (!alternatives.some((all) => all.every((scope) => viewer.scopes.has(scope)))) {
      throw new ClientError('FORBIDDEN', `This needs the scopes ${alternatives.map((all) => all.join(' and ')).join(', or ')}.`)
    }
  }
}

interface DirectiveSet {
  readonly authenticated: GraphQLDirective | null | undefined
  readonly requiresScopes: GraphQLDirective | null | undefined
  readonly ownedBy: GraphQLDirective | null | undefined
}

type DirectiveHolder = Parameters<typeof getDirectiveValues>[1] | undefined

function valuesOf(directive: GraphQLDirective | null | undefined, node: DirectiveHolder): Record<string, unknown> | undefined {
  return directive === null || directive === undefined || node === undefined ? undefined : getDirectiveValues(directive, node)
}

/** The rules a type puts on every field returning it (`@authenticated`, `@requiresScopes`, `@ownedBy(field:)`). */
function typeRules(type: GraphQLNamedType, directives: DirectiveSet): FieldRules {
  const node = type.astNode ?? undefined
  const before: BeforeCheck[] = []
  let after: AfterCheck | null = null
  if (valuesOf(directives.authenticated, node) !== undefined) before.push(requireSignedIn)
  const scopes = valuesOf(directives.requiresScopes, node)
  if (scopes !== undefined) before.push(scopesCheck(scopes['scopes'] as string[][]))
  const owned = valuesOf(directives.ownedBy, node)
  if (owned !== undefined) {
    const field = owned['field']
    if (typeof field !== 'string') throw new TypeError(`@ownedBy on type ${type.name} needs field:`)
    before.push(requireSignedIn)
    after = (viewer, value) => {
      if (value === null || value === undefined) return
      if (Array.isArray(value)) for (const item of value) requireOwner(viewer, readPath(item, [field]))
      else requireOwner(viewer, readPath(value, [field]))
    }
  }
  return { before, after }
}

function fieldRules(field: GraphQLField<unknown, unknown>, directives: DirectiveSet, where: string): BeforeCheck[] {
  const node = field.astNode ?? undefined
  const before: BeforeCheck[] = []
  if (valuesOf(directives.authenticated, node) !== undefined) before.push(requireSignedIn)
  const scopes = valuesOf(directives.requiresScopes, node)
  if (scopes !== undefined) before.push(scopesCheck(scopes['scopes'] as string[][]))
  const owned = valuesOf(directives.ownedBy, node)
  if (owned !== undefined) {
    const { argument, parentField } = owned
    if (typeof argument === 'string' && parentField === undefined) {
      const path = argument.split('.')
      before.push((viewer, _parent, args) => requireOwner(viewer, readPath(args, path)))
    } else if (typeof parentField === 'string' && argument === undefined) {
      before.push((viewer, parent) => requireOwner(viewer, readPath(parent, [parentField])))
    } else {
      throw new TypeError(`@ownedBy on ${where} needs exactly one of argument: or parentField:`)
    }
  }
  return before
}

const viewerOf = (context: unknown): Viewer => (context as { viewer?: Viewer } | null)?.viewer ?? ANONYMOUS

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function guard<TSource, TContext>(
  resolve: GraphQLFieldResolver<TSource, TContext> | undefined,
  rules: FieldRules,
): GraphQLFieldResolver<TSource, TContext> {
  const inner = (resolve ?? defaultFieldResolver) as GraphQLFieldResolver<TSource, TContext>
  const { before, after } = rules
  return (parent, args, context, info) => {
    const viewer = viewerOf(context)
    for (const check of before) check(viewer, parent, args)
    const result = inner(parent, args, context, info)
    if (after === null) return result
    if (!isPromiseLike(result)) {
      after(viewer, result)
      return result
    }
    return result.then((value) => {
      after(viewer, value)
      return value
    })
  }
}

/**
 * Applies the authorization directives of the SDL to the executable schema,
 * in place: each governed field's resolver (and a subscription's `subscribe`,
 * so it is authorized when subscribing) is wrapped with its checks. In place
 * because mercurius and graphql-jit execute this schema object; the wrapped
 * resolvers are ordinary functions, so jit compiles them like any other.
 * Returns the coordinates governed, for the start-up log and the tests.
 */
export function applyAuthorization(schema: GraphQLSchema): readonly string[] {
  const directives: DirectiveSet = {
    authenticated: schema.getDirective('authenticated'),
    requiresScopes: schema.getDirective('requiresScopes'),
    ownedBy: schema.getDirective('ownedBy'),
  }
  const byType = new Map<string, FieldRules>()
  const rulesOfType = (type: GraphQLNamedType): FieldRules => {
    let rules = byType.get(type.name)
    if (rules === undefined) {
      rules = typeRules(type, directives)
      byType.set(type.name, rules)
    }
    return rules
  }
  const governed: string[] = []
  const subscriptionType = schema.getSubscriptionType()
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue
    for (const field of Object.values(type.getFields())) {
      const where = `${type.name}.${field.name}`
      const returned = rulesOfType(getNamedType(field.type))
      const before = [...returned.before, ...fieldRules(field, directives, where)]
      if (before.length === 0 && returned.after === null) continue
      const rules: FieldRules = { before, after: returned.after }
      if (type === subscriptionType) field.subscribe = guard(field.subscribe, { before, after: null })
      field.resolve = guard(field.resolve, rules)
      governed.push(where)
    }
  }
  return governed
}
