import { Dispatcher, type MockAgent } from 'undici'

/**
 * A dispatcher for one origin of a MockAgent, to inject where production
 * passes a Pool. Not `agent.get(origin)` itself: in undici 7 a MockPool's own
 * `dispatch` speaks only the legacy handler API, so the downstream layer's
 * handler (onRequestStart/onResponse*) would never hear back. Going through
 * the agent converts the handler as a real Pool does. (undici 8's MockPool
 * speaks the new API.)
 */
export function mockOrigin(agent: MockAgent, origin: string): Dispatcher {
  class OriginDispatcher extends Dispatcher {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return agent.dispatch({ ...options, origin }, handler)
    }
    override close(): Promise<void> {
      return Promise.resolve()
    }
    override destroy(): Promise<void> {
      return Promise.resolve()
    }
  }
  return new OriginDispatcher()
}
