import type { Prng } from './prng.js'
import type { User } from './types.js'
import { FIRST_NAMES, LAST_NAMES } from './word-lists.js'
import { idOf, isoFromMs, pickDistinctInts, seededPastMs } from './world-clock.js'

export function generateUsers(prng: Prng, count: number): Map<string, User> {
  const users = new Map<string, User>()
  const handles = new Set<string>()
  for (let n = 1; n <= count; n++) {
    const id = idOf(n)
    const first = prng.pick(FIRST_NAMES)
    const last = prng.pick(LAST_NAMES)
    const base = `${first}.${last}`.toLowerCase()
    // 50 × 40 name pairs cannot cover 2,000 users; the id suffix keeps handles unique.
    const handle = handles.has(base) ? `${base}${id}` : base
    handles.add(handle)
    users.set(id, {
      id,
      name: `${first} ${last}`,
      handle,
      avatarUrl: `https://img.example.com/u/${id}.png`,
      joinedAt: isoFromMs(seededPastMs(prng, 6 * 365)),
    })
  }
  return users
}

/** Follower ids per user, newest first: 0–60 distinct other users each. */
export function generateFollowers(prng: Prng, userCount: number): Map<string, readonly string[]> {
  const followers = new Map<string, readonly string[]>()
  for (let n = 1; n <= userCount; n++) {
    const ids = pickDistinctInts(prng, prng.int(0, 60), 1, userCount, n)
    followers.set(idOf(n), ids.map(idOf))
  }
  return followers
}

/** 10–30 distinct product ids per user, best first. */
export function generateRecommendations(prng: Prng, userCount: number, productCount: number): Map<string, readonly string[]> {
  const recommendations = new Map<string, readonly string[]>()
  for (let n = 1; n <= userCount; n++) {
    recommendations.set(idOf(n), pickDistinctInts(prng, prng.int(10, 30), 1, productCount).map(idOf))
  }
  return recommendations
}
