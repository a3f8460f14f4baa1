/**
 * Close codes of the websocket endpoint beyond graphql-ws' own `CloseCode`
 * (4400 invalid message, 4401 subscribe before ack, 4403 forbidden, 4408 no
 * init in time, 4409 duplicate id, 4429 second init) and ws' 1009 (message
 * over the size cap).
 */
export const CLOSE_CODES = {
  /**
   * The subscriber stopped reading and more events piled up than the buffer
   * policy allows. graphql-ws' CloseCode has nothing for it; 4413 follows its
   * 4000 + HTTP status habit (413: too large). The graphql-ws client retries
   * it with the original variables: pass the last `eventId` seen as `after`
   * to miss nothing.
   */
  slowConsumer: 4413,
  /** RFC 6455 1012: the instance is shutting down; the graphql-ws client reconnects. */
  serviceRestart: 1012,
  /** RFC 6455 1013: the connection cap is reached; the graphql-ws client retries. */
  tryAgainLater: 1013,
} as const
