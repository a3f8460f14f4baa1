import { expect } from 'vitest'
import { HOME } from '../../helpers/home-query.js'
import { gql, type GraphQLAnswer, type Stack } from '../../helpers/stack.js'

/** The kept answers' counters of a stack's BFF (response-cache.ts). */
export const statsOf = (stack: Stack) => {
  const cache = stack.app.responseCache
  if (cache === null) throw new Error('the response cache is off')
  return cache.stats()
}

/** The home query until its answer is kept: the first reads miss, the next one reads only fresh entries. */
export async function keptHome(stack: Stack, id: string, headers: Record<string, string> = {}): Promise<GraphQLAnswer> {
  let answer = await gql(stack, HOME, { id }, { headers })
  for (let i = 0; i < 5 && statsOf(stack).kept === 0; i += 1) answer = await gql(stack, HOME, { id }, { headers })
  expect(statsOf(stack).kept).toBeGreaterThan(0)
  return answer
}
