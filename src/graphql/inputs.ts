import { badUserInput } from '../errors.js'

/**
 * Scalar inputs are checked here, at the edge, before anything goes
 * downstream: ids and cursors travel into service URLs, so a 20,000-character
 * id would otherwise come back as a downstream failure (or a 414) rather than
 * as the client's mistake.
 */

/** What an id may look like: short and plain (every service's ids fit; nothing needs escaping twice). */
const ID_FORMAT = /^[A-Za-z0-9_.:-]{1,64}$/
/** Opaque page cursors as the services mint them (base64url). */
const CURSOR_FORMAT = /^[A-Za-z0-9_=-]{1,256}$/

/** Bounds a client-given page size; out of range is the client's mistake, not ours. */
export function pageSize(first: number, max: number, argument = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(`${argument} must be between 1 and ${max}, got ${first}`, { argument })
  }
  return first
}

/** One id argument: 1 to 64 letters, digits, `_`, `.`, `:` or `-`. */
export function entityId(id: string, argument = 'id'): string {
  if (!ID_FORMAT.test(id)) throw badUserInput(`${argument} must be 1 to 64 letters, digits, "_", ".", ":" or "-"`, { argument })
  return id
}

/** Bounds a client-given id list, and checks each id as `entityId` does. */
export function idList(ids: readonly string[], max: number, argument = 'ids'): readonly string[] {
  if (ids.length > max) throw badUserInput(`${argument} takes at most ${max} ids, got ${ids.length}`, { argument })
  for (const id of ids) entityId(id, argument)
  return ids
}

/** An optional `after` cursor, as the services mint them. */
export function cursor(after: string | null | undefined, argument = 'after'): string | undefined {
  if (after === null || after === undefined) return undefined
  if (!CURSOR_FORMAT.test(after)) throw badUserInput(`${argument} is not a cursor this API returned`, { argument })
  return after
}
