import type { ValueCheck } from './resource-table.js'
import type { CachePolicy } from './ttl-policy.js'

/**
 * A cached value with its two deadlines (epoch ms). Stored as the compact JSON
 * array `[freshUntil, keepUntil, value]`; `value` is the downstream DTO, or
 * null for a cached "not found".
 */
export interface Entry<T> {
  readonly value: T | null
  /** Until then the entry is served as is. */
  readonly freshUntil: number
  /** After that it is gone (Redis PX drops the key; group members are checked here). */
  readonly keepUntil: number
}

/**
 * - fresh: serve it.
 * - revalidate: past maxAge but within stale-while-revalidate: serve it and refresh in the background.
 * - stale: only usable if the downstream fails (stale-if-error).
 * - expired: a miss.
 */
export type Freshness = 'fresh' | 'revalidate' | 'stale' | 'expired'

export interface EncodedEntry {
  readonly raw: string
  /** PX for the key: the entry's whole life, stale windows included. */
  readonly ttlMs: number
  /** The deadlines written into `raw` (epoch ms). */
  readonly freshUntil: number
  readonly keepUntil: number
}

/**
 * `random` (0 ≤ r < 1) picks how much of `policy.freshJitter` this write loses;
 * the key's life (PX) does not move, so a jittered entry has a longer stale window.
 */
export function encodeEntry(value: unknown, nowMs: number, policy: CachePolicy, random: () => number = Math.random): EncodedEntry {
  if (value === null) {
    // Negative entries are never served stale: a "not found" is only trusted briefly.
    const until = nowMs + policy.negativeTtlMs
    return { raw: JSON.stringify([until, until, null]), ttlMs: Math.max(1, policy.negativeTtlMs), freshUntil: until, keepUntil: until }
  }
  const freshUntil = nowMs + Math.round(policy.maxAgeMs * (1 - policy.freshJitter * random()))
  const ttlMs = policy.maxAgeMs + Math.max(policy.staleWhileRevalidateMs, policy.staleIfErrorMs)
  const keepUntil = nowMs + ttlMs
  return { raw: JSON.stringify([freshUntil, keepUntil, value]), ttlMs, freshUntil, keepUntil }
}

/**
 * Parses a stored entry and validates its value against the resource's check. An
 * entry that does not parse (written by another version, or corrupted) is
 * treated as absent, never trusted half-typed.
 */
export function decodeEntry<T>(raw: string, schema: ValueCheck<T>): Entry<T> | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return null
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null
  const [freshUntil, keepUntil, value] = parsed as readonly unknown[]
  if (typeof freshUntil !== 'number' || typeof keepUntil !== 'number') return null
  if (value === null) return { value: null, freshUntil, keepUntil }
  return schema.is(value) ? { value, freshUntil, keepUntil } : null
}

/** Where the value begins in an encoded entry: past `[freshUntil,keepUntil,`. */
const valueStart = (raw: string): number => raw.indexOf(',', raw.indexOf(',') + 1) + 1

/**
 * Whether two encoded entries hold the same value, whatever their deadlines: a
 * refetch that brought back what was cached changes nothing anyone read.
 * Values are compared as written (one serializer, one field order per DTO).
 */
export function sameEntryValue(a: string, b: string): boolean {
  const fromA = valueStart(a)
  const fromB = valueStart(b)
  return fromA > 0 && fromB > 0 && a.length - fromA === b.length - fromB && a.startsWith(b.slice(fromB), fromA)
}

/** What a decoder answers for a stored value that does not decode (counted as a cache error, read as a miss). */
export const INVALID_ENTRY: unique symbol = Symbol('invalid entry')

/**
 * One resource's decoder, made once: a store that keeps decoded values
 * (memory-store.ts) recognises it by identity and decodes each value once.
 */
export function entryDecoder<T>(schema: ValueCheck<T>): (raw: string) => Entry<T> | typeof INVALID_ENTRY {
  return (raw) => decodeEntry(raw, schema) ?? INVALID_ENTRY
}

export function freshnessOf(entry: Entry<unknown>, nowMs: number, policy: CachePolicy): Freshness {
  if (nowMs < entry.freshUntil) return 'fresh'
  if (nowMs >= entry.keepUntil || entry.value === null) return 'expired'
  return nowMs < entry.freshUntil + policy.staleWhileRevalidateMs ? 'revalidate' : 'stale'
}
