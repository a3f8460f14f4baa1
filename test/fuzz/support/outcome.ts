/**
 * What the fuzz properties compare about one answer, over HTTP or websocket:
 * the status (HTTP status, or the websocket close code), the error codes, and
 * how long the server took.
 */
export interface Outcome {
  /** HTTP status; on a websocket `close <code>`, or `open` when the server never closed it. */
  readonly status: string
  /** `extensions.code` of every error entry, sorted, each once. */
  readonly codes: readonly string[]
  /** Error entries without a code. */
  readonly uncoded: number
  /** Longest wait for the server, in ms (one request, or one step of a websocket sequence). */
  readonly slowestMs: number
  /** Set when a wait hit the response budget and was given up: the server did not answer in time. */
  readonly unanswered?: undefined | string
  /** The first message seen per code (and the websocket close reason under `close`): tells failures of one code apart. */
  readonly messages?: undefined | Readonly<Record<string, string>>
}

interface ErrorEntry {
  readonly message?: unknown
  readonly extensions?: { readonly code?: unknown }
}

/** Codes of the `errors` entries of a parsed body or websocket payload (anything else has none). */
export function errorCodesOf(value: unknown): { codes: string[]; uncoded: number; messages: Record<string, string> } {
  const entries = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null && Array.isArray((value as { errors?: unknown }).errors)
      ? ((value as { errors: unknown[] }).errors)
      : []
  const codes: string[] = []
  const messages: Record<string, string> = {}
  let uncoded = 0
  for (const entry of entries as ErrorEntry[]) {
    const code = typeof entry === 'object' && entry !== null ? entry.extensions?.code : undefined
    if (typeof code !== 'string') {
      uncoded += 1
      continue
    }
    codes.push(code)
    messages[code] ??= String(entry.message)
  }
  return { codes, uncoded, messages }
}

export function distinctSorted(codes: Iterable<string>): string[] {
  return [...new Set(codes)].sort()
}
