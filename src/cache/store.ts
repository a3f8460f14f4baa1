/**
 * The store behind the entity cache: a key/value space with per-key TTLs,
 * implemented by Redis (standalone or Cluster) and by a bounded in-process LRU.
 * Values are opaque strings (compact JSON written by `envelope.ts`), so both
 * implementations behave the same and cached objects can never be mutated in
 * place by a caller.
 *
 * Every method may reject (Redis down, frozen, timed out); callers treat a
 * rejection as "no cache" and go downstream, never as a failed query.
 */
export interface Store {
  /** Which implementation answers; shown in /health/ready. */
  readonly backend: StoreBackend
  /**
   * Reads many values in one round trip (MGET, or one auto-pipelined batch of
   * GET/HGET per node). Answers in the order of `addresses`; null is a miss.
   */
  getMany(addresses: readonly StoreAddress[]): Promise<readonly (string | null)[]>
  /**
   * Like getMany, but answers `decode(value)`. A store that holds its values
   * in this process (the embedded LRU) runs `decode` once per written value
   * and hands every later reader the same deep-frozen result, so a warm read
   * costs no JSON.parse and no contract check. Absent: callers decode what
   * getMany answers.
   */
  readonly getDecoded?: undefined | (<D>(addresses: readonly StoreAddress[], decode: (raw: string) => D) => Promise<readonly (D | null)[]>)
  /**
   * Writes many values in one pipeline, each with its own TTL (`PX`). A group
   * key's TTL becomes the newest write's TTL; group members carry their own
   * expiry inside the value, so an extended group never serves an old member.
   */
  setMany(writes: readonly StoreWrite[]): Promise<void>
  /** Deletes whole keys; a group key drops every member at once. */
  invalidate(keys: readonly string[]): Promise<void>
  /**
   * `SET key 1 NX PX ttlMs` per key: true where this caller now holds the
   * lease. Leases let one instance fetch a missing entry while others wait.
   */
  tryLeases(keys: readonly string[], ttlMs: number): Promise<readonly boolean[]>
  /**
   * Deletes every key starting with `prefix` (SCAN, never KEYS). Used only
   * after an outage that lost more invalidations than were remembered.
   */
  invalidatePrefix(prefix: string): Promise<number>
  close(): Promise<void>
}

export type StoreBackend = 'memory' | 'redis' | 'redis-cluster'

/**
 * Where one value lives: a plain key, or a member of a group (a Redis hash).
 * Groups hold the variants of one list (every page of user 7's orders), so
 * one DEL invalidates all of them without SCAN.
 */
export interface StoreAddress {
  readonly key: string
  /** Member of the group at `key`. */
  readonly member?: undefined | string
}

export interface StoreWrite {
  readonly address: StoreAddress
  readonly value: string
  /** Time to live (ms), at least 1. */
  readonly ttlMs: number
}
