import { sendHttp, type HttpCall } from './http-driver.js'
import { checkNoServerError, checkSameOutcome, checkWithinBudget } from './invariants.js'
import { checkServing, waitUntilServing } from './serving.js'

/**
 * The four invariants for one HTTP input: sent twice to a process that is
 * serving, each answer free of server errors and within budget, the two
 * answers alike, and the process still serving afterwards.
 */
export async function checkHttpInput(bffUrl: string, call: HttpCall): Promise<void> {
  await waitUntilServing(bffUrl)
  const first = await sendHttp(bffUrl, call)
  checkNoServerError(first)
  checkWithinBudget(first)
  const second = await sendHttp(bffUrl, call)
  checkNoServerError(second)
  checkWithinBudget(second)
  checkSameOutcome(first, second)
  await checkServing(bffUrl)
}
