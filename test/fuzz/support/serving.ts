import { request } from 'undici'
import { waitFor } from '../../helpers/wait-for.js'
import { connectRaw, type RawClient } from '../../helpers/ws-client.js'
import { InvariantBroken, RESPONSE_BUDGET_MS } from './invariants.js'

/** The normal query a bystander sends: served by catalog alone. */
export const SERVING_QUERY = '{ product(id: "1") { name } }'

/**
 * How long a process may take to come back after an input that stalled it,
 * before the run counts it as lost. Waiting here, before each input, keeps one
 * input's damage out of the next input's timing (and out of shrinking).
 */
export const RECOVERY_MS = 30_000

/** What answering the normal query looked like: a reason when it was not served. */
async function servingProblem(bffUrl: string): Promise<string | null> {
  const started = performance.now()
  try {
    const response = await request(`${bffUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: SERVING_QUERY }),
      signal: AbortSignal.timeout(RESPONSE_BUDGET_MS),
    })
    const body = (await response.body.json()) as { data?: { product?: { name?: unknown } }; errors?: unknown[] }
    const tookMs = Math.round(performance.now() - started)
    if (response.statusCode !== 200 || body.errors !== undefined || typeof body.data?.product?.name !== 'string') {
      return `answered ${response.statusCode} ${JSON.stringify(body).slice(0, 300)}`
    }
    return tookMs > RESPONSE_BUDGET_MS ? `took ${tookMs} ms` : null
  } catch (error) {
    return `no answer within ${RESPONSE_BUDGET_MS} ms (${error instanceof Error ? error.message : String(error)})`
  }
}

/** (3) The process is alive and answers the normal query correctly, within the budget. */
export async function checkServing(bffUrl: string): Promise<void> {
  const problem = await servingProblem(bffUrl)
  if (problem !== null) throw new InvariantBroken('(3) still serving a normal query', `${SERVING_QUERY} ${problem}`, '(3) still serving a normal query')
}

/** Waits (bounded) until the normal query is served again; failing that, the process is lost: (3) fails. */
export async function waitUntilServing(bffUrl: string): Promise<void> {
  try {
    await waitFor(async () => (await servingProblem(bffUrl)) === null, { timeoutMs: RECOVERY_MS, intervalMs: 50, message: 'the normal query to be served' })
  } catch (error) {
    const detail = `not recovered within ${RECOVERY_MS} ms: ${error instanceof Error ? error.message : String(error)}`
    throw new InvariantBroken('(3) still serving a normal query', detail, '(3) still serving a normal query: lost')
  }
}

/** (3) over the websocket endpoint: a new connection is acknowledged and runs the normal query. */
export async function checkServingOverWebsocket(wsUrl: string): Promise<void> {
  let client: RawClient | undefined
  const broken = (detail: string) => new InvariantBroken('(3) still serving a normal query', `over websocket: ${detail}`, '(3) still serving a normal query over websocket')
  try {
    client = await Promise.race([
      connectRaw(wsUrl),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`no handshake within ${RESPONSE_BUDGET_MS} ms`)), RESPONSE_BUDGET_MS).unref()),
    ])
    client.send({ type: 'connection_init' })
    const ack = await client.waitForMessage(RESPONSE_BUDGET_MS)
    if (ack['type'] !== 'connection_ack') throw broken(`connection_init answered ${JSON.stringify(ack)}`)
    client.send({ type: 'subscribe', id: 'serving', payload: { query: SERVING_QUERY } })
    const next = (await client.waitForMessage(RESPONSE_BUDGET_MS)) as { type?: unknown; payload?: { data?: { product?: { name?: unknown } }; errors?: unknown } }
    if (next.type !== 'next' || next.payload?.errors !== undefined || typeof next.payload?.data?.product?.name !== 'string') {
      throw broken(`${SERVING_QUERY} answered ${JSON.stringify(next).slice(0, 300)}`)
    }
    const complete = await client.waitForMessage(RESPONSE_BUDGET_MS)
    if (complete['type'] !== 'complete') throw broken(`expected complete, got ${JSON.stringify(complete)}`)
  } catch (error) {
    if (error instanceof InvariantBroken) throw error
    throw broken(error instanceof Error ? error.message : String(error))
  } finally {
    client?.ws.terminate()
  }
}
