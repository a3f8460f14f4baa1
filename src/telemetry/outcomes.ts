/** How one downstream attempt ended, as the client-duration histogram labels it. */
export type ClientOutcome = 'ok' | 'error' | 'timeout' | 'circuit_open' | 'overloaded'

export const CLIENT_OUTCOMES: readonly ClientOutcome[] = ['ok', 'error', 'timeout', 'circuit_open', 'overloaded']

/** How one GraphQL operation ended: data and no errors, data beside errors, or no data. */
export type OperationOutcome = 'ok' | 'partial' | 'error'

/** Records downstream attempts of one service; the no-op one when metrics are off. */
export interface ClientMeter {
  attempt(outcome: ClientOutcome, seconds: number): void
}

export const NO_CLIENT_METER: ClientMeter = Object.freeze({ attempt: () => undefined })
