import { badUserInput } from '../errors.js'

/** Bounds a client-given page size; out of range is the client's mistake, not ours. */
export function pageSize(first: number, max: number, argument = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(`${argument} must be between 1 and ${max}, got ${first}`, { argument })
  }
  return first
}

/** Bounds a client-given id list. */
export function idList(ids: readonly string[], max: number, argument = 'ids'): readonly string[] {
  if (ids.length > max) throw badUserInput(`${argument} takes at most ${max} ids, got ${ids.length}`, { argument })
  return ids
}
