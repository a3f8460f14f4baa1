import { checkNoServerError, checkSameOutcome, checkWithinBudget } from './invariants.js'
import { checkServing, checkServingOverWebsocket, waitUntilServing } from './serving.js'
import { runWsSequence } from './ws-driver.js'
import type { WsSequence } from './ws-sequences.js'

/**
 * The four invariants for one websocket message sequence. Only a paced
 * sequence is played twice and compared: sent all at once, what the server
 * answers may depend on how the frames fall into TCP reads (a subscribe that
 * lands before the ack is refused, one after it is not), which is the
 * protocol's rule, not a defect.
 */
export async function checkWsInput(bffUrl: string, wsUrl: string, sequence: WsSequence): Promise<void> {
  await waitUntilServing(bffUrl)
  const first = await runWsSequence(wsUrl, sequence)
  checkNoServerError(first)
  checkWithinBudget(first)
  if (sequence.paced) {
    const second = await runWsSequence(wsUrl, sequence)
    checkNoServerError(second)
    checkWithinBudget(second)
    checkSameOutcome(first, second)
  }
  await checkServing(bffUrl)
  await checkServingOverWebsocket(wsUrl)
}
