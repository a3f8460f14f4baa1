import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'

/** An `upgrade` listener of a node HTTP server. */
export type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void

export interface UpgradeSockets {
  /**
   * From now on an upgrade request is a plain request, which a closing
   * fastify answers 503 with `Connection: close` and node then closes.
   */
  stopRouting(): void
  /** Destroys every upgrade socket still open (after the websockets were closed properly). */
  destroyAll(): void
}

/**
 * Who ends a socket whose upgrade was answered over HTTP instead.
 *
 * @fastify/websocket routes an upgrade through fastify with a response bound
 * to the raw socket. When a refusal is written there (the router's 503 while
 * closing, or a hook's), no one ends the socket: node left it to the upgrade
 * listener, and the plugin ends it only when its own hooks ran. A client that
 * half-closes then leaves a connection open for good, and `server.close()`
 * waits on it, so one client reconnecting during a shutdown held the
 * shutdown for ever. `routing` are the plugin's own upgrade listeners.
 */
export function trackUpgradeSockets(server: Server, routing: readonly UpgradeListener[]): UpgradeSockets {
  const open = new Set<Duplex>()
  const track: UpgradeListener = (_request, socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  }
  server.on('upgrade', track)
  return {
    stopRouting() {
      // Every listener goes: node hands an upgrade to the listeners whenever there is one.
      for (const listener of [...routing, track]) server.removeListener('upgrade', listener)
    },
    destroyAll() {
      for (const socket of open) socket.destroy()
      open.clear()
    },
  }
}

/** Upgrade listeners `server` has now that it had not in `before`. */
export function addedUpgradeListeners(server: Server, before: readonly unknown[]): UpgradeListener[] {
  const known = new Set(before)
  return server.listeners('upgrade').filter((listener) => !known.has(listener)) as UpgradeListener[]
}

/** Whether node handed this request's socket to the upgrade listeners (node sets `upgrade`; its types leave it out). */
export function isUpgrade(request: IncomingMessage): boolean {
  return (request as IncomingMessage & { readonly upgrade?: unknown }).upgrade === true
}
