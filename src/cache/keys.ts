import type { StoreAddress } from './store.js'

/**
 * Builds every key the cache uses: `<prefix>v<version>:<service>:<resource>:<id>`.
 * The prefix lets environments or tenants share one Redis; the version segment
 * means a deploy that changes a cached shape never reads the old entries.
 */
export interface Keyspace {
  /** Everything this deployment writes starts with this, e.g. `bff:v1:`. */
  readonly namespace: string
  /** A PUBLIC entity or list, e.g. `bff:v1:catalog:product:42`. */
  entity(service: string, resource: string, id: string): string
  /**
   * A PRIVATE entry of one user, e.g. `bff:v1:orders:user-orders:{u:7}`. The
   * owner is part of the key, so no other user's read can land on it, and the
   * `{u:7}` hash tag puts all of one user's entries in one Redis Cluster slot
   * (invalidating a user's feed and unread count is one multi-key DEL).
   */
  owned(service: string, resource: string, ownerId: string): string
  /** The stampede lease guarding one address (same hash tag as the entry). */
  lease(address: StoreAddress): string
  /** Resource name of a key built here (`catalog:product`), or null. */
  resourceOf(key: string): string | null
}

export interface KeyspaceOptions {
  /** No `{`/`}`: they would become Redis Cluster hash tags. @default 'bff:' */
  readonly prefix: string
  /** Positive integer. @default 1 */
  readonly version: number
}

const PLAIN = /^[\w.-]+$/
const PREFIX = /^[\w.:-]{0,64}$/

/**
 * Ids come from GraphQL arguments. Escaping `:`, `{` and `}` keeps keys
 * injective (id "7}:x" cannot collide with id "7") and keeps a client from
 * choosing a hash tag.
 */
function segment(id: string): string {
  return PLAIN.test(id) ? id : encodeURIComponent(id)
}

export function createKeyspace(options: KeyspaceOptions): Keyspace {
  const { prefix, version } = options
  if (!PREFIX.test(prefix)) {
    throw new TypeError(`createKeyspace: prefix must match ${String(PREFIX)} (no braces or spaces), got ${JSON.stringify(prefix)}`)
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new TypeError(`createKeyspace: version must be a positive integer, got ${String(version)}`)
  }
  const namespace = `${prefix}v${version}:`
  const leaseNamespace = `${namespace}lease:`
  return {
    namespace,
    entity: (service, resource, id) => `${namespace}${service}:${resource}:${segment(id)}`,
    owned: (service, resource, ownerId) => `${namespace}${service}:${resource}:{u:${segment(ownerId)}}`,
    lease: (address) =>
      `${leaseNamespace}${address.key.slice(namespace.length)}${address.member === undefined ? '' : `:${segment(address.member)}`}`,
    resourceOf(key) {
      if (!key.startsWith(namespace) || key.startsWith(leaseNamespace)) return null
      const [service, resource] = key.slice(namespace.length).split(':', 2)
      return service === undefined || resource === undefined ? null : `${service}:${resource}`
    },
  }
}

/** The Redis Cluster hash tag of a key (`{…}` content), or null when untagged. */
export function hashTagOf(key: string): string | null {
  const open = key.indexOf('{')
  if (open === -1) return null
  const close = key.indexOf('}', open + 1)
  return close > open + 1 ? key.slice(open + 1, close) : null
}
