import { request } from 'undici'

/**
 * JSON over plain undici for the benchmark's own control calls (mock admin,
 * readiness, sanity queries). Kept apart from the load generators so these
 * calls never share their connections.
 */
export async function requestJson(
  url: string,
  init: { readonly method?: undefined | 'GET' | 'POST'; readonly body?: undefined | unknown; readonly headers?: undefined | Readonly<Record<string, string>> } = {},
): Promise<{ readonly statusCode: number; readonly body: unknown }> {
  const hasBody = init.body !== undefined
  const response = await request(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: hasBody ? JSON.stringify(init.body) : null,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  })
  const text = await response.body.text()
  return { statusCode: response.statusCode, body: text.length > 0 ? (JSON.parse(text) as unknown) : null }
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
