import { SERVICE_NAMES, type ServiceName } from '../../src/config/services.js'
import { isRecord, requestJson } from './admin-client.js'
import { delay } from './child-processes.js'

/** Requests each mock has served, by service, from `GET /__admin/stats`. */
export type CallCounts = Readonly<Record<ServiceName, number>>

export interface StatsSnapshot {
  readonly requests: CallCounts
  readonly inFlight: number
}

export async function readStats(urls: Readonly<Record<ServiceName, string>>): Promise<StatsSnapshot> {
  const requests: Partial<Record<ServiceName, number>> = {}
  let inFlight = 0
  for (const name of SERVICE_NAMES) {
    const { body } = await requestJson(`${urls[name]}/__admin/stats`)
    if (!isRecord(body) || typeof body['requests'] !== 'number' || typeof body['inFlight'] !== 'number') {
      throw new Error(`${name} mock: unexpected /__admin/stats answer ${JSON.stringify(body)}`)
    }
    requests[name] = body['requests']
    inFlight += body['inFlight']
  }
  return { requests: requests as Record<ServiceName, number>, inFlight }
}

/**
 * Reads stats once every mock is idle, so calls made for queries cut off at
 * the end of a run are counted before the next run starts, not during it.
 */
export async function readSettledStats(urls: Readonly<Record<ServiceName, string>>): Promise<StatsSnapshot> {
  const deadline = Date.now() + 5_000
  let snapshot = await readStats(urls)
  while (snapshot.inFlight > 0 && Date.now() < deadline) {
    await delay(50)
    snapshot = await readStats(urls)
  }
  return snapshot
}

export function callsBetween(before: StatsSnapshot, after: StatsSnapshot): CallCounts {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, after.requests[name] - before.requests[name]])) as Record<
    ServiceName,
    number
  >
}

export function totalCalls(calls: CallCounts): number {
  return SERVICE_NAMES.reduce((sum, name) => sum + calls[name], 0)
}
