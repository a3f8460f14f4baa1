/**
 * The home screen query the benchmark drives: every leg of `Home`, with the
 * nested product lookups (order items and recommendations → catalog +
 * inventory) that make it a two-level fan-out.
 */
/** The floor target's body: a valid operation that touches no field, so HTTP, identity, the edge and metrics are all it costs. */
export const FLOOR_REQUEST_BODY = JSON.stringify({ query: '{ __typename }' })

export const HOME_QUERY = `query Home($userId: ID!) {
  home(userId: $userId) {
    user { id name avatarUrl }
    recentOrders { id status items { quantity product { name price { formatted } } } }
    recommendations { name price { formatted } }
    notifications { unreadCount latest { message } }
  }
}`

/** The mocks' world has users "1".."2000" (mocks/world/create-world.ts WORLD_SIZES). */
export const USER_COUNT = 2_000

/**
 * A prime coprime to USER_COUNT: stepping by it visits every user once per
 * 2,000 requests in a scattered order, so consecutive requests hit different
 * users (0–8 orders each) like real traffic rather than one hot key.
 */
export const USER_STRIDE = 7_919

/** The user id of the n-th request (n ≥ 0). wrk's Lua script uses the same formula. */
export function userIdAt(n: number): string {
  return String(((n * USER_STRIDE) % USER_COUNT) + 1)
}

export function homeRequestBody(userId: string): string {
  return JSON.stringify({ query: HOME_QUERY, variables: { userId } })
}

/** The baseline server's equivalent of the home query for one user. */
export function baselinePath(userId: string): string {
  return `/home/${encodeURIComponent(userId)}`
}
