import { deepStrictEqual } from 'node:assert/strict'
import { isRecord, requestJson } from '../lib/admin-client.js'
import { baselinePath, HOME_QUERY } from '../lib/home-query.js'

/** Users with many orders (1 has 12), none, and a spread in between. */
export const SAMPLE_USERS = ['1', '2', '7', '500', '1999'] as const

/** `data.home` for one user, failing on any GraphQL error: a benchmark of error answers measures nothing. */
const authHeaders = (token: string | undefined): Record<string, string> => (token === undefined ? {} : { authorization: `Bearer ${token}` })

export async function bffHome(origin: string, userId: string, token?: undefined | string): Promise<unknown> {
  const { statusCode, body } = await requestJson(`${origin}/graphql`, { body: { query: HOME_QUERY, variables: { userId } }, headers: authHeaders(token) })
  if (statusCode !== 200 || !isRecord(body) || body['errors'] !== undefined || !isRecord(body['data'])) {
    throw new Error(`BFF home(userId: ${userId}) answered ${statusCode}: ${JSON.stringify(body).slice(0, 500)}`)
  }
  return body['data']['home']
}

export async function checkBff(origin: string, token?: undefined | string): Promise<void> {
  for (const userId of SAMPLE_USERS) await bffHome(origin, userId, token)
}

/** The baseline must answer exactly what the BFF answers, or the comparison is unfair. */
export async function checkBaselineMatchesBff(bffOrigin: string, baselineOrigin: string, token?: undefined | string): Promise<void> {
  for (const userId of SAMPLE_USERS) {
    const expected = await bffHome(bffOrigin, userId, token)
    const { statusCode, body } = await requestJson(`${baselineOrigin}${baselinePath(userId)}`, { headers: authHeaders(token) })
    if (statusCode !== 200) throw new Error(`baseline /home/${userId} answered ${statusCode}`)
    deepStrictEqual(body, expected, `baseline and BFF differ for user ${userId}`)
  }
}
