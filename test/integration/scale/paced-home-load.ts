import { Agent, request } from 'undici'
import { homeRequestBody, userIdAt } from '../../../bench/lib/home-query.js'

export interface HomeLoadResult {
  readonly sent: number
  /** Answers other than 200, and requests that got no answer at all. */
  readonly failed: readonly { readonly startedAt: number; readonly reason: string }[]
  /** Requests answered per instance (HAProxy's x-served-by). */
  readonly servedBy: Readonly<Record<string, number>>
}

export interface HomeLoad {
  /** Requests sent and not answered yet. */
  inFlight(): number
  stop(): Promise<HomeLoadResult>
}

/**
 * Home queries through the balancer at a steady `perSecond`, each sent on
 * schedule whether or not earlier ones have answered (an open loop, as real
 * clients are), over keep-alive connections as a browser or an API gateway
 * would hold them.
 */
export function startHomeLoad(url: string, perSecond: number): HomeLoad {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 })
  const failed: { startedAt: number; reason: string }[] = []
  const servedBy: Record<string, number> = {}
  const pending = new Set<Promise<void>>()
  let sent = 0

  const send = (): void => {
    const startedAt = Date.now()
    const n = sent++
    const done = (async () => {
      try {
        const response = await request(`${url}/graphql`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: homeRequestBody(userIdAt(n)),
          // Past the BFF's own deadline (10 s in these tests): only a request nobody answers fails here.
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        })
        await response.body.dump()
        const instance = response.headers['x-served-by']
        if (typeof instance === 'string') servedBy[instance] = (servedBy[instance] ?? 0) + 1
        if (response.statusCode !== 200) failed.push({ startedAt, reason: `HTTP ${response.statusCode} from ${String(instance)}` })
      } catch (error) {
        failed.push({ startedAt, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
      }
    })()
    pending.add(done)
    void done.finally(() => pending.delete(done))
  }
  const timer = setInterval(send, 1_000 / perSecond)

  return {
    inFlight: () => pending.size,
    async stop() {
      clearInterval(timer)
      await Promise.all(pending)
      await agent.close()
      return { sent, failed, servedBy }
    },
  }
}
