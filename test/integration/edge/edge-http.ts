import { request } from 'undici'
import type { Stack } from '../../helpers/stack.js'

/** One answer from /graphql, its body read whole (and JSON-parsed when it is JSON). */
export interface EdgeAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  readonly json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } | null
}

async function answer(response: Awaited<ReturnType<typeof request>>): Promise<EdgeAnswer> {
  const text = await response.body.text()
  let json: EdgeAnswer['json'] = null
  try {
    json = text === '' ? null : (JSON.parse(text) as EdgeAnswer['json'])
  } catch {
    json = null
  }
  return { status: response.statusCode, headers: response.headers, text, json }
}

/** POST /graphql with a JSON body. */
export async function post(stack: Pick<Stack, 'bffUrl'>, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<EdgeAnswer> {
  const response = await request(`${stack.bffUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  })
  return answer(response)
}

/** GET /graphql with each parameter URL-encoded (objects as JSON, as Apollo Client sends them). */
export async function get(stack: Pick<Stack, 'bffUrl'>, params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<EdgeAnswer> {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, typeof value === 'string' ? value : JSON.stringify(value))
  }
  const response = await request(`${stack.bffUrl}/graphql?${search.toString()}`, {
    method: 'GET',
    headers: { accept: 'application/graphql-response+json', ...headers },
  })
  return answer(response)
}

export const codeOf = (answer: EdgeAnswer): string | undefined => answer.json?.errors?.[0]?.extensions?.code
