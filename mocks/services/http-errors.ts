type ErrorStatus = 400 | 401 | 403 | 404 | 409

const ERROR_NAMES = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
} as const satisfies Record<ErrorStatus, string>

/** Errors handlers throw; the service error handler turns them into the API.md error bodies. */
export class MockHttpError extends Error {
  readonly statusCode: ErrorStatus
  readonly error: (typeof ERROR_NAMES)[ErrorStatus]
  /** Extra response headers, e.g. `www-authenticate` on a 401. */
  readonly headers: Readonly<Record<string, string>>

  constructor(statusCode: ErrorStatus, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message)
    this.name = 'MockHttpError'
    this.statusCode = statusCode
    this.error = ERROR_NAMES[statusCode]
    this.headers = headers
  }
}

export const badRequest = (message: string): MockHttpError => new MockHttpError(400, message)
export const notFound = (message: string): MockHttpError => new MockHttpError(404, message)
export const conflict = (message: string): MockHttpError => new MockHttpError(409, message)
export const forbidden = (message: string): MockHttpError => new MockHttpError(403, message)

/**
 * A 401 with the RFC 6750 §3 challenge: no `error` attribute when the request
 * carried no token at all, `invalid_token` when it carried a bad one.
 */
export function unauthenticated(message: string, tokenPresent: boolean): MockHttpError {
  const challenge = tokenPresent ? 'Bearer realm="mocks", error="invalid_token"' : 'Bearer realm="mocks"'
  return new MockHttpError(401, message, { 'www-authenticate': challenge })
}

/** Maps a world `Outcome` failure onto its HTTP error. */
export function outcomeError(reason: 'bad_request' | 'not_found' | 'conflict', message: string): MockHttpError {
  return new MockHttpError(reason === 'bad_request' ? 400 : reason === 'not_found' ? 404 : 409, message)
}
