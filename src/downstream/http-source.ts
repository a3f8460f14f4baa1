import { Observable } from 'rxjs'
import type { Dispatcher } from 'undici'

/** One HTTP request to a downstream service. */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT'
  /** Path with the query string already applied, e.g. `/users?ids=1,2`. */
  readonly path: string
  readonly body?: undefined | unknown
  readonly headers?: undefined | Readonly<Record<string, string>>
}

/** The parsed answer: status plus the JSON body (unknown until validated). */
export interface HttpAnswer {
  readonly statusCode: number
  readonly body: unknown
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const

/**
 * The one place where undici promises become Observables. Subscribing sends
 * the request; unsubscribing before it settles aborts it, so cancelling a
 * GraphQL request (or a timeout upstream in the pipe) frees the socket at once.
 */
export function fromHttpCall(dispatcher: Dispatcher, call: HttpCall): Observable<HttpAnswer> {
  return new Observable<HttpAnswer>((subscriber) => {
    const controller = new AbortController()
    let settled = false
    const hasBody = call.body !== undefined
    dispatcher
      .request({
        method: call.method,
        path: call.path,
        headers: hasBody ? { ...call.headers, ...JSON_HEADERS } : (call.headers ?? null),
        body: hasBody ? JSON.stringify(call.body) : null,
        signal: controller.signal,
      })
      .then(async (response) => {
        // Always consume the body, whatever the status: an unread body pins the socket.
        const text = await response.body.text()
        settled = true
        let body: unknown = null
        if (text.length > 0) {
          try {
            body = JSON.parse(text)
          } catch (cause) {
            subscriber.error(new SyntaxError('downstream answered with invalid JSON', { cause }))
            return
          }
        }
        subscriber.next({ statusCode: response.statusCode, body })
        subscriber.complete()
      })
      .catch((error: unknown) => {
        settled = true
        subscriber.error(error)
      })
    return () => {
      if (!settled) controller.abort()
    }
  })
}
