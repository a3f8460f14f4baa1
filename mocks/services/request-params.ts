import { decodeCursor, type CursorKind } from '../world/paging.js'
import { badRequest } from './http-errors.js'

/** Positive decimal ids without leading zeros: "0" or "007" are malformed, not unknown. */
const ID = /^[1-9]\d{0,11}$/

/** Ids a batch endpoint accepts per request (mocks/API.md). */
export const MAX_BATCH_IDS = 500

export type Query = Readonly<Record<string, unknown>>

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value)
}

export function parseId(value: unknown, name: string): string {
  if (!isId(value)) throw badRequest(`${name} must be a positive decimal id, got ${JSON.stringify(value)}`)
  return value
}

/** A single-valued query parameter; repeating it (`?a=1&a=2`) is a 400. */
export function queryParam(query: Query, name: string): string | undefined {
  const value = query[name]
  if (value === undefined || typeof value === 'string') return value
  throw badRequest(`query parameter ${name} must be given once`)
}

/** `?ids=1,2,3`: 1..500 ids, duplicates allowed; answered deduplicated. */
export function parseIdList(query: Query): string[] {
  const raw = queryParam(query, 'ids')
  if (raw === undefined || raw === '') throw badRequest('query parameter ids is required, e.g. ?ids=1,2')
  const ids = raw.split(',')
  if (ids.length > MAX_BATCH_IDS) throw badRequest(`at most ${MAX_BATCH_IDS} ids per request, got ${ids.length}`)
  for (const id of ids) parseId(id, 'every id')
  return [...new Set(ids)]
}

/** `?first=n` in 1..max. */
export function parseFirst(query: Query, defaultValue: number, max = 100): number {
  const raw = queryParam(query, 'first')
  if (raw === undefined) return defaultValue
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(n >= 1 && n <= max)) throw badRequest(`first must be an integer in 1..${max}, got ${JSON.stringify(raw)}`)
  return n
}

/** `?after=<cursor>` of the given kind; undefined when absent. */
export function parseAfter(query: Query, kind: CursorKind): number | undefined {
  const raw = queryParam(query, 'after')
  if (raw === undefined) return undefined
  const n = decodeCursor(kind, raw)
  if (n === null) throw badRequest(`after is not a valid cursor: ${JSON.stringify(raw)}`)
  return n
}

/** A JSON request body that must be an object. */
export function bodyObject(body: unknown): Readonly<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be a JSON object')
  // Checked just above: a non-null, non-array object.
  return body as Readonly<Record<string, unknown>>
}

/** Rejects keys outside `allowed`, so a typo in a test body fails loudly instead of being ignored. */
export function onlyKeys(body: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw badRequest(`unknown field "${key}"; allowed: ${allowed.join(', ')}`)
  }
}

export function isInt(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
}
