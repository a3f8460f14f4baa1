/** Errors handlers throw; the service error handler turns them into the API.md error bodies. */
export class MockHttpError extends Error {
  readonly statusCode: 400 | 404 | 409
  readonly error: 'bad_request' | 'not_found' | 'conflict'

  constructor(statusCode: 400 | 404 | 409, message: string) {
    super(message)
    this.name = 'MockHttpError'
    this.statusCode = statusCode
    this.error = statusCode === 400 ? 'bad_request' : statusCode === 404 ? 'not_found' : 'conflict'
  }
}

export const badRequest = (message: string): MockHttpError => new MockHttpError(400, message)
export const notFound = (message: string): MockHttpError => new MockHttpError(404, message)
export const conflict = (message: string): MockHttpError => new MockHttpError(409, message)

/** Maps a world `Outcome` failure onto its HTTP error. */
export function outcomeError(reason: 'bad_request' | 'not_found' | 'conflict', message: string): MockHttpError {
  return new MockHttpError(reason === 'bad_request' ? 400 : reason === 'not_found' ? 404 : 409, message)
}
