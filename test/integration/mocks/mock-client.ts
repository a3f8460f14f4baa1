import { request } from 'undici'
import { startMocks, type RunningMocks, type StartMocksOptions } from '../../../mocks/start-mocks.js'
import { SERVICE_NAMES } from '../../../mocks/services/service-names.js'

/** All eight mocks (the seven data services and auth) on free ports; the caller registers `close()` right away. */
export function startTestMocks(options: StartMocksOptions = {}): Promise<RunningMocks> {
  const ports = Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0]))
  return startMocks({ ports, ...options })
}

/** The header a caller relays its token in. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

export interface JsonAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  // any: tests read arbitrary answer fields, and the assertions themselves check the shape.
  readonly body: any
}

/** One HTTP call with the body always consumed (undici README, "Garbage Collection"). */
export async function call(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<JsonAnswer> {
  const response = await request(url, {
    method,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  })
  const text = await response.body.text()
  return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
}

export const get = (url: string, headers?: Record<string, string>): Promise<JsonAnswer> =>
  call('GET', url, headers === undefined ? {} : { headers })
export const post = (url: string, body?: unknown): Promise<JsonAnswer> => call('POST', url, body === undefined ? {} : { body })
export const put = (url: string, body: unknown): Promise<JsonAnswer> => call('PUT', url, { body })
